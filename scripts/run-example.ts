// `npm run example -- <name>`: starts examples/<name>.ts with PORT, HOST and
// TESSERA_DATABASE_URL from the environment. Also the contract every example follows: it
// exports `start(options)` and starts itself when run directly. It imports nothing from src/:
// the examples stand alone on the package (`tessera-auth`, built into dist/).
import { readdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Clock } from "tessera-auth";
import { parseDatabaseUrl } from "tessera-auth/stores";

/** What `start()` of every example takes; anything left out comes from the environment or its default. */
export interface ExampleOptions {
  /** Default `PORT`, else 5000; 0 picks a free port (tests). */
  port?: number;
  /** Default `HOST`, else `127.0.0.1`. */
  host?: string;
  /** Default `TESSERA_DATABASE_URL`, else `sqlite::memory:`. */
  databaseUrl?: string;
  /** Where "now" comes from; tests move it to expire tokens. Default the wall clock. */
  clock?: Clock;
}

/** A listening example. */
export interface RunningExample {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /** Stops listening, drops open connections and closes the database. */
  close(): Promise<void>;
}

export type StartExample = (options?: ExampleOptions) => Promise<RunningExample>;

const EXAMPLES_DIR = fileURLToPath(new URL("../examples/", import.meta.url));
const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The example names: every `examples/<name>.ts`. */
export function listExamples(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -".ts".length))
    .filter((name) => NAME.test(name))
    .sort();
}

/** Reads PORT, HOST and TESSERA_DATABASE_URL; a bad value is one clear line and exit 2. */
export function readExampleOptions(env: NodeJS.ProcessEnv): Required<Omit<ExampleOptions, "clock">> {
  const rawPort = env.PORT ?? "5000";
  const port = Number(rawPort);
  if (!/^\d{1,5}$/.test(rawPort) || port > 65535) {
    console.error("PORT must be an integer from 0 to 65535");
    process.exit(2);
  }
  const databaseUrl = env.TESSERA_DATABASE_URL ?? "sqlite::memory:";
  try {
    parseDatabaseUrl(databaseUrl);
  } catch (error) {
    // ConfigError messages never echo the URL (it may hold a password).
    console.error(error instanceof Error ? error.message : "TESSERA_DATABASE_URL is invalid");
    process.exit(2);
  }
  return { port, host: env.HOST ?? "127.0.0.1", databaseUrl };
}

function isInMemory(databaseUrl: string): boolean {
  const location = parseDatabaseUrl(databaseUrl);
  return location.kind === "sqlite" && location.filename === ":memory:";
}

/**
 * Starts an example from the environment, prints where it listens (and that its keys die with
 * the process when the database is in memory), and closes it on SIGINT/SIGTERM.
 *
 * @example
 * await launch("signed-token-basic", start);
 */
export async function launch(name: string, start: StartExample, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const options = readExampleOptions(env);
  let running: RunningExample;
  try {
    running = await start(options);
  } catch (error) {
    console.error(`${name}: could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(`${name} listening on ${running.url}`);
  if (isInMemory(options.databaseUrl)) {
    // The tutorials regenerated their secret on every start without saying so; we say so.
    console.log(
      "signing keys and token secrets live in memory (sqlite::memory:): every token dies with this process; " +
        "set TESSERA_DATABASE_URL=sqlite:./example.db to keep them",
    );
  }
  const stop = (): void => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Whether the module at `moduleUrl` is the script node was started with. */
function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // Compare real paths: either side may have been reached through a symlink.
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

async function runCli(args: readonly string[]): Promise<void> {
  const name = args[0];
  const names = listExamples();
  if (name === undefined || !names.includes(name)) {
    console.error(name === undefined ? "usage: npm run example -- <name>" : `no example named "${name}"`);
    console.error(`examples:\n${names.map((known) => `  ${known}`).join("\n")}`);
    process.exit(2);
  }
  const loaded = (await import(pathToFileURL(join(EXAMPLES_DIR, `${name}.ts`)).href)) as { start?: unknown };
  if (typeof loaded.start !== "function") {
    console.error(`examples/${name}.ts does not export start()`);
    process.exit(2);
  }
  await launch(name, loaded.start as StartExample);
}

if (isMainModule(import.meta.url)) {
  runCli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}

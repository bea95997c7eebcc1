// Shared plumbing for the CLI tests: a temporary SQLite file per test, and a way to run a
// `tessera` command line in-process with captured output and piped stdin.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { after } from "node:test";
import { createTessera, type Tessera } from "../../src/index.js";
import type { JwtAlg } from "../../src/core/jwt/index.js";
import type { CliIo } from "../../src/cli/cli-io.js";
import { runCli } from "../../src/cli/dispatch.js";
import { openServerDatabase, type ServerDatabase } from "../../src/server/server-database.js";
import type { UserRecord } from "../../src/server/store/index.js";

export const ISSUER = "http://127.0.0.1:3000";
export const AUDIENCE = "tessera";

let tempRoot: string | undefined;
let counter = 0;

/** A fresh directory under the OS temp dir, removed when the test file ends. */
export function makeTempDir(): string {
  if (tempRoot === undefined) {
    const root = mkdtempSync(join(tmpdir(), "tessera-cli-"));
    tempRoot = root;
    after(() => rmSync(root, { recursive: true, force: true }));
  }
  counter += 1;
  const dir = join(tempRoot, `t${counter}`);
  return dir;
}

/** A `sqlite:` URL of a database file nobody has opened yet. */
export function makeDatabaseUrl(): string {
  return `sqlite:${join(makeTempDir(), "tessera.db")}`;
}

/** What one in-process run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runTessera}. */
export interface RunTesseraOptions {
  /** Becomes TESSERA_DATABASE_URL (the --database flag is tested separately). */
  databaseUrl?: string;
  /** Piped to the command's stdin; without it the command has no stdin. */
  stdin?: string;
  env?: Record<string, string | undefined>;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/**
 * Runs `tessera ...argv` in-process, as bin/tessera.mjs would, and captures everything.
 *
 * @example
 * const { code, stdout } = await runTessera(["users", "list", "--json"], { databaseUrl });
 */
export async function runTessera(argv: string[], options: RunTesseraOptions = {}): Promise<CliRun> {
  const stdout = collector();
  const stderr = collector();
  const env: Record<string, string | undefined> = { ...options.env };
  if (options.databaseUrl !== undefined) env["TESSERA_DATABASE_URL"] = options.databaseUrl;
  const io: CliIo = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env,
    stdin: options.stdin === undefined ? undefined : Readable.from([Buffer.from(options.stdin, "utf8")]),
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * Opens the database a test's commands use, migrated, and closes it when `work` ends.
 *
 * @example
 * await withStore(databaseUrl, async (store) => assert.ok(await store.users.getUserByUsername("ada")));
 */
export async function withStore<T>(databaseUrl: string, work: (store: ServerDatabase) => Promise<T>): Promise<T> {
  const store = await openServerDatabase(databaseUrl);
  try {
    await store.migrate();
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * A Tessera service over `store` configured like the server the CLI's environment describes
 * (the defaults), as a freshly started instance would be: it loads the revocations the CLI wrote.
 * Pass the algorithm of the current key when it is not EdDSA, or loading rotates to EdDSA.
 *
 * @example
 * const tessera = await openTessera(store);
 */
export function openTessera(store: ServerDatabase, options: { jwtAlg?: JwtAlg } = {}): Promise<Tessera<UserRecord>> {
  return createTessera<UserRecord>({
    store: store.tokens,
    users: {
      findForLogin: (username) => store.users.getUserByUsername(username),
      setPasswordHash: (id, hash) => store.users.setPasswordHash(Number(id), hash),
    },
    issuer: ISSUER,
    audience: AUDIENCE,
    revocationPollIntervalMs: 0,
    keyReloadIntervalMs: 0,
    ...options,
  });
}

/** Creates a user through the CLI and returns its id. */
export async function createUser(databaseUrl: string, username: string, password = "correct horse battery", extra: string[] = []): Promise<number> {
  const result = await runTessera(["users", "create", username, ...extra], { databaseUrl, stdin: `${password}\n` });
  if (result.code !== 0) throw new Error(`users create ${username} exited ${result.code}: ${result.stderr}`);
  return Number(result.stdout.trim());
}

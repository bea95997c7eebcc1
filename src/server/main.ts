import type { FastifyInstance } from "fastify";
import { BackendUnavailableError, ConfigError } from "../core/errors.js";
import { openSqlStore, type SqlStore } from "../stores/index.js";
import { buildApp, type AppExtensions } from "./app.js";
import { loadConfig, withConfigFile, type ServerConfig } from "./config.js";

export interface RunningServer {
  app: FastifyInstance;
  config: ServerConfig;
  url: string;
  /** Stops accepting, drains in-flight requests, closes the database. */
  stop(): Promise<void>;
}

/**
 * The server could not start because of what a variable points at: the database, the address
 * to listen on. Unlike ConfigError the value itself is well-formed; `tessera serve` exits 1 with
 * one line naming the variable.
 *
 * @example
 * throw new StartupError("PORT", "port 8080 on 127.0.0.1 is already in use");
 */
export class StartupError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(`${variable}: ${message}`, options);
    this.name = "StartupError";
    this.variable = variable;
  }
}

/** The innermost useful message of a driver or socket error, on one line. */
function describeCause(error: unknown): string {
  const inner = error instanceof BackendUnavailableError && error.cause !== undefined ? error.cause : error;
  let text = inner instanceof Error ? inner.message : String(inner);
  // Connecting to `localhost` tries ::1 and 127.0.0.1: Node reports both in an AggregateError with no message.
  if (text === "" && inner instanceof AggregateError) text = inner.errors.map(describeCause).join("; ");
  if (text === "" && inner instanceof Error && "code" in inner) text = String(inner.code);
  return text.replace(/\s+/g, " ").trim() || "no detail";
}

/** `text` with `url`, and the password it may carry, masked: neither may reach a log or a terminal. */
function withoutSecrets(text: string, url: string): string {
  let masked = text.replaceAll(url, "[redacted URL]");
  let password = "";
  try {
    password = new URL(url).password;
  } catch {
    // An unparseable URL has no password to find.
  }
  for (const secret of new Set([password, safeDecode(password)])) if (secret !== "") masked = masked.replaceAll(secret, "***");
  return masked;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function databaseUnavailable(error: unknown, config: ServerConfig): StartupError {
  const detail = withoutSecrets(describeCause(error), config.databaseUrl);
  return new StartupError("TESSERA_DATABASE_URL", `the database is unavailable (${detail})`, { cause: error });
}

/**
 * Opens the database named by TESSERA_DATABASE_URL and applies pending migrations, so a
 * database that cannot be used stops start-up with a line naming the variable (never the URL:
 * it may hold a password). `buildApp` then opens it again, already migrated.
 */
async function prepareDatabase(config: ServerConfig): Promise<void> {
  // A fresh in-memory database is the app's own; there is nothing to check beforehand.
  if (config.databaseUrl === "sqlite::memory:") return;
  let store: SqlStore;
  try {
    store = await openSqlStore(config.databaseUrl, { poolSize: 1, connectionTimeoutMs: config.databaseTimeoutMs });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw databaseUnavailable(error, config);
  }
  try {
    await store.migrate();
  } catch (error) {
    throw databaseUnavailable(error, config);
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** The scaled-out extensions; a failure other than a bad value names TESSERA_REDIS_URL (Redis being down is not one). */
async function openScaleOut(config: ServerConfig, env: Record<string, string | undefined>): Promise<AppExtensions> {
  try {
    return await (await import("./scale-out.js")).createScaleOutExtensions(config, env);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new StartupError("TESSERA_REDIS_URL", `Redis cannot be used (${withoutSecrets(describeCause(error), config.redisUrl ?? "")})`, { cause: error });
  }
}

/**
 * Names the variable behind a failed `listen`: PORT when the port is taken or needs privileges,
 * HOST when the address is not this machine's or does not resolve. Null for anything else.
 *
 * @example
 * describeListenError(Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" }), config);
 * // StartupError "PORT: port 3000 on 127.0.0.1 is already in use"
 */
export function describeListenError(error: unknown, config: Pick<ServerConfig, "host" | "port">): StartupError | null {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const where = `port ${config.port} on ${config.host}`;
  switch (code) {
    case "EADDRINUSE":
      return new StartupError("PORT", `${where} is already in use`, { cause: error });
    case "EACCES":
      return new StartupError("PORT", `permission denied to listen on ${where} (ports below 1024 usually need privileges)`, { cause: error });
    case "EADDRNOTAVAIL":
      return new StartupError("HOST", `${config.host} is not an address of this machine`, { cause: error });
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return new StartupError("HOST", `cannot resolve the host name "${config.host}" (${code})`, { cause: error });
    default:
      return null;
  }
}

/**
 * Loads the configuration from `env`, builds the app and listens. Scaled-out backends
 * (Redis) are plugged in here when configured. Throws ConfigError for a bad value and
 * StartupError when the database or the address named by a variable cannot be used.
 *
 * @example
 * const server = await startServer(process.env);
 * console.log(`listening on ${server.url}`);
 */
export async function startServer(env: Record<string, string | undefined>, extensions: AppExtensions = {}): Promise<RunningServer> {
  const config = loadConfig(withConfigFile(env));
  await prepareDatabase(config);
  const scaled = config.redisUrl ? await openScaleOut(config, env) : {};
  let app: FastifyInstance;
  try {
    app = await buildApp(config, { ...scaled, ...extensions });
  } catch (error) {
    // The database answered prepareDatabase but failed while the app loaded its keys.
    if (error instanceof BackendUnavailableError && error.backend === "database") throw databaseUnavailable(error, config);
    throw error;
  }
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw describeListenError(error, config) ?? error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { app, config, url: `http://${host}:${port}`, stop: () => app.close() };
}

/**
 * `tessera serve`: listen until SIGINT/SIGTERM, then stop accepting, drain in-flight requests
 * and close the database. A bad configuration value exits 2 with one line naming the variable;
 * a database or address that cannot be used exits 1 with one line naming the variable.
 */
export async function serve(env: Record<string, string | undefined>, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  let server: RunningServer;
  try {
    server = await startServer(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`tessera: invalid configuration: ${error.message}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`tessera: could not start: ${message.replace(/\s+/g, " ").trim()}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      server.app.log.info({ signal }, "shutting down");
      server.stop().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // Only now: whoever waits for this line may send SIGTERM at once, and must get a drain.
    io.stdout.write(`tessera listening on ${server.url}\n`);
  });
}

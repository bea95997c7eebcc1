import type { FastifyInstance } from "fastify";
import { ConfigError } from "../core/errors.js";
import { buildApp, type AppExtensions } from "./app.js";
import { loadConfig, withConfigFile, type ServerConfig } from "./config.js";
import { describeCause, StartupError, withoutSecrets } from "./startup-error.js";

export { StartupError } from "./startup-error.js";

export interface RunningServer {
  app: FastifyInstance;
  config: ServerConfig;
  url: string;
  /** Stops accepting, drains in-flight requests, closes the database. */
  stop(): Promise<void>;
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
  const scaled = config.redisUrl ? await openScaleOut(config, env) : {};
  // A database that cannot be opened, migrated or read is a StartupError naming TESSERA_DATABASE_URL.
  const app = await buildApp(config, { ...scaled, ...extensions });
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

/** How long a SIGTERM waits for accepted requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;

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
      // The drain is bounded: connections still open after the grace period are closed.
      const force = setTimeout(() => server.app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
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

import type { FastifyInstance } from "fastify";
import { ConfigError } from "../core/errors.js";
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
 * Loads the configuration from `env`, builds the app and listens. Scaled-out backends
 * (Redis) are plugged in here when configured.
 *
 * @example
 * const server = await startServer(process.env);
 * console.log(`listening on ${server.url}`);
 */
export async function startServer(env: Record<string, string | undefined>, extensions: AppExtensions = {}): Promise<RunningServer> {
  const config = loadConfig(withConfigFile(env));
  const scaled = config.redisUrl ? await (await import("./scale-out.js")).createScaleOutExtensions(config, env) : {};
  const app = await buildApp(config, { ...scaled, ...extensions });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return { app, config, url: `http://${host}:${port}`, stop: () => app.close() };
}

/**
 * `tessera serve`: listen until SIGINT/SIGTERM, then stop accepting, drain in-flight requests
 * and close the database. A bad configuration value exits 2 with one line naming the variable.
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
    io.stderr.write(`tessera: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  io.stdout.write(`tessera listening on ${server.url}\n`);
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
  });
}

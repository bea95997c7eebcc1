import { Redis } from "ioredis";
import { BackendUnavailableError } from "../../core/errors.js";

/**
 * Options for {@link openRedisConnection}; only `url` is required.
 *
 * @example
 * const options: RedisConnectionOptions = { url: "redis://127.0.0.1:6379", commandTimeoutMs: 500 };
 */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...` for TLS. */
  url: string;
  /**
   * How long a command may wait for its reply. Past it the command fails and the socket is
   * dropped (then re-opened), so a Redis that hangs fails as fast as one that is gone. Default 1000.
   */
  commandTimeoutMs?: number;
  /** How long opening a TCP connection may take. Default 2000. */
  connectTimeoutMs?: number;
  /** The longest pause between reconnection attempts, so recovery is noticed quickly. Default 1000. */
  maxReconnectDelayMs?: number;
  /** Shown by `CLIENT LIST`. */
  connectionName?: string;
  /** Connection errors; the client has already handled them (it reconnects by itself). */
  onError?: (error: Error) => void;
}

/**
 * Opens an ioredis connection tuned to fail fast during an outage instead of queueing:
 * no offline queue, no retries of a command whose connection dropped, a per-command timeout,
 * and reconnection every second at most until Redis answers again. Callers fall back (to the
 * database, or to in-process limits) when a command fails. The connection is opened at once,
 * in the background; {@link waitForRedisReady} waits for it.
 *
 * @example
 * const redis = openRedisConnection({ url: "redis://127.0.0.1:6379" });
 * await waitForRedisReady(redis, 2000);
 * await redis.quit();
 */
export function openRedisConnection(options: RedisConnectionOptions): Redis {
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  const maxReconnectDelayMs = options.maxReconnectDelayMs ?? 1000;
  const client = new Redis(options.url, {
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: commandTimeoutMs,
    // Drops a socket that stops answering, so `status` leaves "ready" and callers that check
    // it (the rate limiter's rejectIfRedisNotReady) skip Redis without waiting.
    socketTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    disableClientInfo: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, maxReconnectDelayMs),
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
  });
  // Without a listener ioredis prints every failed reconnection attempt to the console.
  client.on("error", (error: Error) => options.onError?.(error));
  return client;
}

/**
 * Resolves true once `client` is ready, or false after `timeoutMs` (it keeps trying in the
 * background either way).
 *
 * @example
 * if (!(await waitForRedisReady(redis, 2000))) console.warn("Redis is not answering yet");
 */
export function waitForRedisReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      resolve(false);
    }, timeoutMs);
    client.once("ready", onReady);
  });
}

/**
 * Resolves when Redis answers PING; throws `BackendUnavailableError("redis")` otherwise,
 * without waiting when the connection is known to be down. For `/readyz`.
 *
 * @example
 * readiness.push({ name: "redis", check: () => pingRedis(redis) });
 */
export async function pingRedis(client: Redis): Promise<void> {
  if (client.status !== "ready") throw new BackendUnavailableError("redis");
  try {
    await client.ping();
  } catch (error) {
    throw new BackendUnavailableError("redis", { cause: error });
  }
}

/**
 * Closes a connection: QUIT when it is up (pending replies arrive first), otherwise a plain
 * disconnect, which also stops reconnection attempts.
 *
 * @example
 * await closeRedisConnection(redis);
 */
export async function closeRedisConnection(client: Redis): Promise<void> {
  if (client.status === "end") return;
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection dropped while quitting.
    }
  }
  client.disconnect(false);
}

import { ConfigError } from "../core/errors.js";
import { checkRedisKeyPrefix, DEFAULT_REDIS_KEY_PREFIX } from "../stores/redis/key-prefix.js";
import { loadRedisStore } from "../stores/redis/load-redis-store.js";
import type { AppExtensions } from "./app.js";
import type { ServerConfig } from "./config.js";

/**
 * How often each instance reads new revocations from the database. It bounds how stale an
 * instance can be when Redis is down (contract: every instance honours a revocation within
 * 1 s), and catches anything published while its subscription was reconnecting.
 */
export const SCALE_OUT_REVOCATION_POLL_MS = 500;

/** How long start-up waits for Redis before serving anyway (with per-instance limits). */
const REDIS_STARTUP_WAIT_MS = 2_000;

/**
 * Reads `TESSERA_REDIS_KEY_PREFIX` (default `tessera:`).
 *
 * @example
 * readRedisKeyPrefix({ TESSERA_REDIS_KEY_PREFIX: "staging:" }); // "staging:"
 */
export function readRedisKeyPrefix(env: Record<string, string | undefined>): string {
  const value = env["TESSERA_REDIS_KEY_PREFIX"];
  if (value === undefined || value === "") return DEFAULT_REDIS_KEY_PREFIX;
  const prefix = checkRedisKeyPrefix(value);
  if (prefix === null) {
    throw new ConfigError("TESSERA_REDIS_KEY_PREFIX", "expected 1-64 characters of letters, digits, and _ . : - { }");
  }
  return prefix;
}

/**
 * The scaled-out shape (several instances over PostgreSQL and Redis): revocations published
 * to every instance over Redis pub/sub, rate-limit counters in Redis, Redis in `/readyz`, and
 * a database poll that carries revocations alone while Redis is down. Start-up does not fail
 * when Redis is down: the instance serves with per-instance limits and the poll, reports
 * Redis in `/readyz`, and picks Redis up again by itself.
 *
 * @example
 * const config = loadConfig(process.env);
 * const app = await buildApp(config, await createScaleOutExtensions(config, process.env));
 */
export async function createScaleOutExtensions(
  config: ServerConfig,
  env: Record<string, string | undefined> = process.env,
): Promise<AppExtensions> {
  const url = config.redisUrl;
  if (url === null) throw new ConfigError("TESSERA_REDIS_URL", "the scaled-out shape needs a Redis URL");
  const keyPrefix = readRedisKeyPrefix(env);
  // ioredis is an optional peer: loaded here, so its absence is one line naming it.
  const { closeRedisConnection, createRedisLimiterFactory, openRedisConnection, pingRedis, RedisRevocationFeed, waitForRedisReady } =
    await loadRedisStore("TESSERA_REDIS_URL");
  const commands = openRedisConnection({ url, connectionName: "tessera-commands" });
  const feed = new RedisRevocationFeed({ url, keyPrefix, publisher: commands });
  await waitForRedisReady(commands, REDIS_STARTUP_WAIT_MS);
  return {
    revocationFeed: feed,
    revocationPollIntervalMs: SCALE_OUT_REVOCATION_POLL_MS,
    limiterFactory: createRedisLimiterFactory({ client: commands, keyPrefix }),
    readiness: [{ name: "redis", check: () => pingRedis(commands) }],
    onClose: async () => {
      // The app closes the feed through the revocation service; closing it again is a no-op,
      // and makes this safe to call alone when start-up failed half way.
      await feed.close();
      await closeRedisConnection(commands);
    },
  };
}

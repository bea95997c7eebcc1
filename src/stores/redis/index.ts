/**
 * Tessera's Redis pieces for the scaled-out shape: a revocation feed over pub/sub and shared
 * rate-limit counters. Loads ioredis, so import it only when Redis is configured.
 *
 * @example
 * import { openRedisConnection, RedisRevocationFeed, createRedisLimiterFactory } from "tessera-auth/redis";
 * const redis = openRedisConnection({ url: "redis://127.0.0.1:6379" });
 * const feed = new RedisRevocationFeed({ url: "redis://127.0.0.1:6379", keyPrefix: "tessera:", publisher: redis });
 * const limiterFactory = createRedisLimiterFactory({ client: redis, keyPrefix: "tessera:" });
 */
export { checkRedisKeyPrefix, DEFAULT_REDIS_KEY_PREFIX } from "./key-prefix.js";
export {
  closeRedisConnection,
  openRedisConnection,
  pingRedis,
  waitForRedisReady,
  type RedisConnectionOptions,
} from "./redis-connection.js";
export { createRedisLimiterFactory, type RedisLimiterFactoryOptions, type RedisLimitRule } from "./redis-limiter-factory.js";
export { formatRevocationMessage, parseRevocationMessage } from "./revocation-message.js";
export { RedisRevocationFeed, type RedisRevocationFeedOptions } from "./revocation-feed.js";

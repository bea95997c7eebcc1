import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";

/**
 * Options for {@link createRedisLimiterFactory}.
 *
 * @example
 * const options: RedisLimiterFactoryOptions = { client: redis, keyPrefix: "tessera:" };
 */
export interface RedisLimiterFactoryOptions {
  /** A commands connection from `openRedisConnection` (fails fast while Redis is down). */
  client: Redis;
  /** Counters live under `<keyPrefix>rl:<limit name>:<key>`. */
  keyPrefix: string;
}

/** A rate rule: `points` per `durationSeconds`. */
export interface RedisLimitRule {
  points: number;
  durationSeconds: number;
}

/**
 * Builds rate limiters whose counters live in Redis, so every instance counts against the same
 * budget. Each has an in-memory insurance limiter with the same rule: while Redis is down (the
 * connection is not ready, or a command fails or times out) hits are counted per instance
 * instead, and nothing waits for Redis. Counting in Redis resumes when it is back.
 *
 * @example
 * const factory = createRedisLimiterFactory({ client: redis, keyPrefix: "tessera:" });
 * const limiter = factory("login-ip", { points: 30, durationSeconds: 60 });
 * await limiter.consume("203.0.113.7");
 */
export function createRedisLimiterFactory(
  options: RedisLimiterFactoryOptions,
): (name: string, rule: RedisLimitRule) => RateLimiterAbstract {
  return (name, rule) =>
    new RateLimiterRedis({
      storeClient: options.client,
      keyPrefix: `${options.keyPrefix}rl:${name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      // Go straight to the insurance limiter when the connection is not "ready", instead of
      // issuing a command that can only fail.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationSeconds }),
    });
}

import { Limit, memoryLimiterFactory, type LimiterFactory, type RateLimit } from "../rate-limit.js";

/** Login throttling rules; `null` turns one off. Defaults: 10 failures per account per 15 min, 30 attempts per IP per minute. */
export interface LoginLimitRules {
  perAccount?: RateLimit | null;
  perIp?: RateLimit | null;
  /** Where counts live: in memory by default; pass a Redis-backed factory to share them between instances. */
  limiterFactory?: LimiterFactory;
}

/** The two login limits, built. */
export interface LoginLimits {
  perAccount: Limit | null;
  perIp: Limit | null;
}

export const DEFAULT_LOGIN_LIMITS: { perAccount: RateLimit; perIp: RateLimit } = {
  perAccount: { points: 10, durationSeconds: 15 * 60 },
  perIp: { points: 30, durationSeconds: 60 },
};

/**
 * Builds the login limits from rules (defaults for anything not given).
 *
 * @example
 * const limits = createLoginLimits({ perIp: { points: 5, durationSeconds: 60 } });
 */
export function createLoginLimits(rules: LoginLimitRules = {}): LoginLimits {
  const factory = rules.limiterFactory ?? memoryLimiterFactory;
  const make = (name: string, rule: RateLimit | null) => (rule === null ? null : new Limit(rule, factory(name, rule)));
  return {
    perAccount: make("login-account", rules.perAccount === undefined ? DEFAULT_LOGIN_LIMITS.perAccount : rules.perAccount),
    perIp: make("login-ip", rules.perIp === undefined ? DEFAULT_LOGIN_LIMITS.perIp : rules.perIp),
  };
}

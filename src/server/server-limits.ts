import { createLoginLimits, type LoginLimits } from "../http/auth-routes/login-limits.js";
import { Limit, memoryLimiterFactory, type LimiterFactory, type RateLimit } from "../http/rate-limit.js";

/** The server's limits (docs/http-api.md, abuse limits); null where configured `off`. */
export interface ServerLimits {
  login: LoginLimits;
  requestToken: Limit | null;
}

export function createServerLimits(
  rules: { loginAccount: RateLimit | null; loginIp: RateLimit | null; requestToken: RateLimit | null },
  factory: LimiterFactory = memoryLimiterFactory,
): ServerLimits {
  return {
    login: createLoginLimits({ perAccount: rules.loginAccount, perIp: rules.loginIp, limiterFactory: factory }),
    requestToken: rules.requestToken ? new Limit(rules.requestToken, factory("request-token", rules.requestToken)) : null,
  };
}

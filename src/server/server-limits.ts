import { createLoginLimits, type LoginLimits } from "../http/auth-routes/login-limits.js";
import { Limit, memoryLimiterFactory, type LimiterFactory, type RateLimit } from "../http/rate-limit.js";

/** The server's limits (docs/http-api.md, abuse limits); null where configured `off`. */
export interface ServerLimits {
  login: LoginLimits;
  /** Failed client credentials grants per client id (the login per-account rule); per IP they share `login.perIp`. */
  clientCredentials: Limit | null;
  requestToken: Limit | null;
  signupIp: Limit | null;
  tokenEndpointIp: Limit | null;
  badTokenIp: Limit | null;
}

export function createServerLimits(
  rules: {
    loginAccount: RateLimit | null;
    loginIp: RateLimit | null;
    requestToken: RateLimit | null;
    signupIp?: RateLimit | null;
    tokenEndpointIp?: RateLimit | null;
    badTokenIp?: RateLimit | null;
  },
  factory: LimiterFactory = memoryLimiterFactory,
): ServerLimits {
  const make = (name: string, rule: RateLimit | null | undefined) => (rule ? new Limit(rule, factory(name, rule)) : null);
  return {
    login: createLoginLimits({ perAccount: rules.loginAccount, perIp: rules.loginIp, limiterFactory: factory }),
    clientCredentials: make("client-credentials", rules.loginAccount),
    requestToken: make("request-token", rules.requestToken),
    signupIp: make("signup-ip", rules.signupIp),
    tokenEndpointIp: make("token-endpoint-ip", rules.tokenEndpointIp),
    badTokenIp: make("bad-token-ip", rules.badTokenIp),
  };
}

export { createAuthEndpoints, type AuthRoutesOptions, type AuthRoutePaths } from "./endpoints.js";
export type { AuthEndpoint, EndpointRequest, EndpointResponse } from "./endpoint.js";
export { attemptLogin, tokenResponseBody, type LoginAttempt, type LoginOutcome } from "./attempt-login.js";
export { createLoginLimits, DEFAULT_LOGIN_LIMITS, type LoginLimitRules, type LoginLimits } from "./login-limits.js";

// Framework-free HTTP layer: schemes, guard, challenges, problem+json. Adapters live in
// their own subpaths (tessera/fastify, tessera/express, tessera/hono).
export { PROBLEM_CONTENT_TYPE, PROBLEMS, problemFor, statusForCode } from "./problem.js";
export type { Problem, ProblemBody, ProblemEntry, ProblemOptions } from "./problem.js";
export { formatChallenge, formatBearerChallenge, formatBasicChallenge, joinChallenges } from "./challenge.js";
export type { BearerChallengeOptions, BearerError, FormatChallengeOptions } from "./challenge.js";
export { createGuard, DEFAULT_REALM } from "./guard.js";
export type {
  FailureResponse,
  Guard,
  GuardFailure,
  GuardOptions,
  GuardResult,
  GuardSuccess,
  RenderedFailure,
} from "./guard.js";
export type { AuthScheme, ChallengeRequest, SchemeOutcome, VerifiedCredentials, VerifyContext, VerifyResult } from "./scheme.js";
export { bearerScheme, type BearerSchemeOptions } from "./schemes/bearer.js";
export { basicScheme, type BasicSchemeOptions } from "./schemes/basic.js";
export { headerScheme, type HeaderSchemeOptions } from "./schemes/header.js";
export type { RequestView } from "./request-view.js";
export { createNodeRequestView } from "./node-request-view.js";
export type { Register, RegisteredAuth } from "./register.js";
export { clientIpKey, type RateLimit, type LimiterFactory, type LimitDecision } from "./rate-limit.js";
export type { AuthRoutesOptions, AuthRoutePaths } from "./auth-routes/endpoints.js";
export type { LoginLimitRules } from "./auth-routes/login-limits.js";

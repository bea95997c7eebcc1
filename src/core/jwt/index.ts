// Public API of Tessera's JWT access tokens (docs/http-api.md, Tokens).
export { DEFAULT_JWT_ALG, JWT_ALGS, isJwtAlg, type JwtAlg } from "./algorithms.js";
export { generateSigningKey, type GenerateSigningKeyOptions } from "./generate-signing-key.js";
export { createJti, issuedAtMs } from "./jti.js";
export {
  createKeyRing,
  DEFAULT_ROTATION_LEEWAY_SECONDS,
  type JsonWebKeySet,
  type KeyRing,
  type KeyRotationPlan,
  type PlanRotationOptions,
  type PublicJwk,
  type RingKey,
  type SigningKey,
} from "./key-ring.js";
export {
  issueAccessToken,
  REGISTERED_ACCESS_TOKEN_CLAIMS,
  type IssueAccessTokenOptions,
  type IssueAccessTokenResult,
} from "./issue-access-token.js";
export {
  DEFAULT_LEEWAY_SECONDS,
  MAX_ACCESS_TOKEN_LENGTH,
  MAX_LEEWAY_SECONDS,
  verifyAccessToken,
  type AccessTokenClaims,
  type AccessTokenFailure,
  type AccessTokenFailureCode,
  type AccessTokenFailureReason,
  type VerifyAccessTokenOptions,
  type VerifyAccessTokenResult,
} from "./verify-access-token.js";
export {
  createAccessTokenVerifier,
  DEFAULT_VERIFIED_CACHE_SIZE,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  type AccessTokenVerifierStats,
} from "./access-token-verifier.js";

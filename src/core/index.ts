// The public API of `tessera`: the framework-free core. Adapters live in tessera/fastify,
// tessera/express and tessera/hono; the SQL store in tessera/stores; the server in tessera/server.
export { Tessera, ALL_SCOPES, MAX_ACCESS_TOKEN_TTL_SECONDS, type TesseraOptions, type IssuedPersonalAccessToken } from "./auth/tessera.js";
export type { TesseraAuth, TokenPair, ClientInfo, Result } from "./auth/types.js";
export { RevocationService, type RevocationFeed, type RevocationServiceOptions } from "./auth/revocations.js";
export {
  SigningKeys,
  currentSigningAlg,
  DEFAULT_SIGNING_KEYS_TTL_SECONDS,
  type SigningKeysOptions,
  type SigningKeysIssueOptions,
} from "./auth/signing-keys.js";
export * from "./passwords/index.js";
export * from "./jwt/index.js";
export * from "./credentials/index.js";
export * from "./scopes.js";
export {
  generateOpaqueToken,
  deriveSuccessorToken,
  isWellFormedOpaqueToken,
  opaqueTokenKind,
  hashToken,
  tokenHashesEqual,
  OPAQUE_TOKEN_PREFIXES,
  type OpaqueTokenKind,
} from "./tokens/opaque-token.js";
export { RevocationSet, type RevocationSubject } from "./tokens/revocation-set.js";
export * from "./tokens/derived-token.js";
export { ERROR_CODES, TesseraError, ConfigError, BackendUnavailableError, type ErrorCode, type AuthFailureCode, type Failure } from "./errors.js";
export { systemClock, epochSeconds, type Clock } from "./clock.js";
export type * from "./store.js";

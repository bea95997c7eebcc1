// tessera-auth: the token system an app adopts in a few lines. Passwords, JWTs and opaque-token
// primitives have their own subpaths (tessera-auth/passwords, /jwt, /tokens); adapters live in
// tessera-auth/fastify, /express and /hono; the SQL token store in tessera-auth/stores.
export { createTessera, type Tessera, type TesseraOptions, type Introspection } from "./auth/create-tessera.js";
export type { Principal, TokenPair, Result, ClientInfo, TokenFailureCode } from "./auth/types.js";
export type { LoginUser, UserDirectory } from "./auth/user-directory.js";
export type { IssuedToken, IssueTokenOptions } from "./auth/stored-tokens.js";
export type { CreatedClient, RotatedClientSecret, ClientAccessToken } from "./auth/machine-clients.js";
export { runWithAuditContext, enterAuditContext, currentAuditContext, type AuditContext, type AuditLogOptions, type AuditEventInput } from "./auth/audit-log.js";
export type { BrokenAuditLink } from "./core/audit-chain.js";
export type { TokenExplanation, TokenRevocation, ExplainedTokenKind } from "./auth/explain-token.js";
export type {
  BasicVerifierOptions,
  BearerVerifierOptions,
  HeaderVerifierOptions,
  LoadPrincipal,
  TokenVerifierOptions,
} from "./auth/verifiers.js";
export type { RevocationFeed } from "./auth/revocation-service.js";
export { MAX_ACCESS_TOKEN_TTL_SECONDS } from "./auth/tessera-context.js";
export type {
  TokenStore,
  SessionRecord,
  NewSession,
  RefreshTokenRecord,
  RefreshRotation,
  StoredTokenRecord,
  NewStoredToken,
  SessionSelector,
  TokenSelector,
  RevokeOptions,
  SigningKeyRecord,
  RevocationKind,
  RevocationQuery,
  RevocationRecord,
  ExpiredRows,
  ClientRecord,
  NewClient,
  ClientSecretRecord,
  NewClientSecret,
  ClientSecretSelector,
  AuditActorType,
  NewAuditEvent,
  AuditEventRecord,
  AuditQuery,
} from "./core/token-store.js";
export { ERROR_CODES, TesseraError, ConfigError, BackendUnavailableError, type ErrorCode, type Failure } from "./core/errors.js";
export { parseScope, formatScope, hasScopes, missingScopes, normalizeScopes, isScopeToken, type ScopeInput } from "./core/scopes.js";
export { readBearerToken, readBasicCredentials, readHeaderToken } from "./core/credentials/index.js";
export type { BearerToken, BasicCredentials, HeaderToken, CredentialsResult, ReadBearerTokenOptions } from "./core/credentials/index.js";
export { systemClock, type Clock } from "./core/clock.js";
export { createSecretsCipher, type SecretsCipher } from "./core/secrets-cipher.js";
export { sealTokenStore } from "./auth/sealed-token-store.js";

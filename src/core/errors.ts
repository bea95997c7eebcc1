/**
 * The closed set of stable, machine-readable error codes (docs/http-api.md, Errors).
 * Clients branch on these; their HTTP status lives in one table in `src/http/problem.ts`.
 *
 * @example
 * if (result.code === "token_expired") await refresh();
 */
export const ERROR_CODES = [
  "token_missing",
  "token_malformed",
  "token_expired",
  "token_revoked",
  "token_invalid",
  "credentials_invalid",
  "invalid_client",
  "insufficient_scope",
  "forbidden",
  "not_found",
  "validation_failed",
  "username_taken",
  "rate_limited",
  "body_too_large",
  "unsupported_media_type",
  "backend_unavailable",
  "invalid_request",
  "invalid_grant",
  "unsupported_grant_type",
  "method_not_allowed",
  "internal_error",
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The codes an authentication attempt can fail with. */
export type AuthFailureCode =
  | "token_missing"
  | "token_malformed"
  | "token_expired"
  | "token_revoked"
  | "token_invalid"
  | "credentials_invalid"
  | "invalid_request";

/**
 * What a thrown {@link TesseraError} can say: an HTTP-facing {@link ErrorCode}, or a fault of
 * configuration or start-up that never reaches a client.
 */
export type TesseraErrorCode = ErrorCode | "config_invalid" | "startup_failed";

/**
 * Base class of every error Tessera throws. Expected failures (a bad token, a wrong
 * password) are returned as values, never thrown; this is for misuse and backend faults.
 *
 * @example
 * throw new TesseraError("backend_unavailable", "database did not answer", { cause: err });
 */
export class TesseraError extends Error {
  readonly code: TesseraErrorCode;
  constructor(code: TesseraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TesseraError";
    this.code = code;
  }
}

/**
 * A configuration value is wrong. Thrown at construction/start-up, never per request.
 *
 * @example
 * throw new ConfigError("TESSERA_ACCESS_TOKEN_TTL", "expected a duration like 15m");
 */
export class ConfigError extends TesseraError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super("config_invalid", `${variable}: ${message}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/**
 * A store (database, Redis) did not answer. Maps to 503 `backend_unavailable`, never to 401.
 *
 * @example
 * throw new BackendUnavailableError("database", { cause: err });
 */
export class BackendUnavailableError extends TesseraError {
  readonly backend: string;
  constructor(backend: string, options?: { cause?: unknown }) {
    super("backend_unavailable", `${backend} is unavailable`, options);
    this.name = "BackendUnavailableError";
    this.backend = backend;
  }
}

/** A failed result as a value: `{ ok: false, code }`. */
export interface Failure<C extends ErrorCode = ErrorCode> {
  ok: false;
  code: C;
  /** A human-readable explanation that never contains a token, secret or password. */
  detail?: string;
}

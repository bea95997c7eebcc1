/**
 * The closed set of stable, machine-readable error codes (contract section 1).
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
 * Base class of every error Tessera throws. Expected failures (a bad token, a wrong
 * password) are returned as values, never thrown; this is for misuse and backend faults.
 *
 * @example
 * throw new TesseraError("backend_unavailable", "database did not answer", { cause: err });
 */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
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
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
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

import type { ErrorCode } from "../core/errors.js";

/** The media type of every error body (RFC 9457). JSON is UTF-8; the charset only spells it out. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8";

/** How one error code is answered over HTTP. */
export interface ProblemEntry {
  status: number;
  /** The HTTP reason phrase, as RFC 9457 recommends for `type: "about:blank"`. */
  title: string;
  /** The default `detail`, also the code's meaning in docs/errors.md. */
  detail: string;
}

/**
 * THE table from error code to HTTP status (docs/http-api.md, Errors). Nothing else in Tessera
 * decides a status for an error code; docs/errors.md is checked against it by a test.
 *
 * @example
 * PROBLEMS.token_expired.status; // 401
 */
export const PROBLEMS: { readonly [C in ErrorCode]: Readonly<ProblemEntry> } = {
  token_missing: { status: 401, title: "Unauthorized", detail: "No credentials were presented" },
  token_malformed: { status: 401, title: "Unauthorized", detail: "The access token is malformed" },
  token_expired: { status: 401, title: "Unauthorized", detail: "The access token expired" },
  token_revoked: { status: 401, title: "Unauthorized", detail: "The access token was revoked" },
  token_invalid: { status: 401, title: "Unauthorized", detail: "The access token is invalid" },
  credentials_invalid: { status: 401, title: "Unauthorized", detail: "The credentials are invalid" },
  invalid_client: { status: 401, title: "Unauthorized", detail: "Client authentication failed" },
  insufficient_scope: { status: 403, title: "Forbidden", detail: "The access token lacks a required scope" },
  forbidden: { status: 403, title: "Forbidden", detail: "You are not allowed to do this" },
  not_found: { status: 404, title: "Not Found", detail: "The resource does not exist" },
  validation_failed: { status: 400, title: "Bad Request", detail: "The request failed validation" },
  username_taken: { status: 409, title: "Conflict", detail: "The username is already taken" },
  rate_limited: { status: 429, title: "Too Many Requests", detail: "Too many requests; retry later" },
  body_too_large: { status: 413, title: "Content Too Large", detail: "The request body is too large" },
  unsupported_media_type: {
    status: 415,
    title: "Unsupported Media Type",
    detail: "The request body has an unsupported media type",
  },
  backend_unavailable: { status: 503, title: "Service Unavailable", detail: "A required backend is unavailable" },
  invalid_request: { status: 400, title: "Bad Request", detail: "The request is malformed" },
  invalid_grant: { status: 400, title: "Bad Request", detail: "The grant is invalid, expired or revoked" },
  unsupported_grant_type: { status: 400, title: "Bad Request", detail: "The grant type is not supported" },
  method_not_allowed: { status: 405, title: "Method Not Allowed", detail: "The method is not allowed here" },
  internal_error: { status: 500, title: "Internal Server Error", detail: "An unexpected error occurred" },
};

/** An RFC 9457 problem body with Tessera's stable `code`. */
export interface ProblemBody {
  type: "about:blank";
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  [extension: string]: unknown;
}

/** Options of {@link problemFor}. */
export interface ProblemOptions {
  /** Replaces the default detail. Must never contain a token, secret or password. */
  detail?: string;
  /** Extension members (e.g. `errors` for validation); they cannot override the standard members. */
  extra?: Readonly<Record<string, unknown>>;
}

/** A status and problem body ready to send. */
export interface Problem {
  status: number;
  body: ProblemBody;
}

const RESERVED = new Set(["type", "title", "status", "code", "detail"]);

/**
 * The HTTP status of an error code, from {@link PROBLEMS}.
 *
 * @example
 * statusForCode("rate_limited"); // 429
 */
export function statusForCode(code: ErrorCode): number {
  return PROBLEMS[code].status;
}

/**
 * Builds the status and problem+json body for an error code.
 *
 * @example
 * problemFor("validation_failed", { extra: { errors: [{ field: "password", message: "too short" }] } });
 * // { status: 400, body: { type: "about:blank", title: "Bad Request", status: 400, code: "validation_failed", ... } }
 */
export function problemFor(code: ErrorCode, options: ProblemOptions = {}): Problem {
  const entry = PROBLEMS[code];
  if (entry === undefined) throw new TypeError(`unknown error code ${JSON.stringify(code)}`);
  const body: ProblemBody = {
    type: "about:blank",
    title: entry.title,
    status: entry.status,
    code,
    detail: options.detail ?? entry.detail,
  };
  for (const [key, value] of Object.entries(options.extra ?? {})) {
    if (!RESERVED.has(key)) body[key] = value;
  }
  return { status: entry.status, body };
}

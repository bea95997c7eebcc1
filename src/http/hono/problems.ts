import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { TesseraError, type ErrorCode } from "../../core/errors.js";
import { PROBLEM_CONTENT_TYPE, problemFor } from "../problem.js";

/** Options of {@link problem}. */
export interface ProblemResponseOptions {
  detail?: string;
  headers?: Readonly<Record<string, string>>;
  extra?: Readonly<Record<string, unknown>>;
}

/**
 * An RFC 9457 problem response with its stable `code`; the status comes from the one code table.
 *
 * @example
 * if (!note) return problem(c, "not_found", { detail: "No such note" });
 */
export function problem(c: Context, code: ErrorCode, options: ProblemResponseOptions = {}): Response {
  const built = problemFor(code, {
    ...(options.detail === undefined ? {} : { detail: options.detail }),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  });
  return c.body(JSON.stringify(built.body), built.status as ContentfulStatusCode, { ...options.headers, "Content-Type": PROBLEM_CONTENT_TYPE });
}

/**
 * `app.notFound(problemNotFound)`: 404 problem+json.
 *
 * @example
 * app.notFound(problemNotFound);
 */
export const problemNotFound: NotFoundHandler = (c) => problem(c, "not_found", { detail: `No route for ${c.req.method} ${c.req.path}` });

/**
 * `app.onError(problemErrorHandler)`: malformed JSON (Hono's 400 HTTPException), a store outage
 * (503 with `Retry-After`) and other client errors as problem+json; anything else 500.
 *
 * @example
 * app.onError(problemErrorHandler);
 */
export const problemErrorHandler: ErrorHandler = (error, c) => {
  if (error instanceof TesseraError && error.code === "backend_unavailable") {
    return problem(c, "backend_unavailable", { detail: error.message, headers: { "Retry-After": "5" } });
  }
  const status = "status" in error && typeof error.status === "number" ? error.status : 500;
  if (status === 400) return problem(c, "validation_failed", { detail: "The body is not valid JSON", extra: { errors: [{ field: "body", message: "is not valid JSON" }] } });
  if (status === 413) return problem(c, "body_too_large");
  if (status === 415) return problem(c, "unsupported_media_type");
  if (status === 404) return problem(c, "not_found");
  if (status > 400 && status < 500) return problem(c, "invalid_request");
  return problem(c, "internal_error", { detail: "An unexpected error occurred" });
};

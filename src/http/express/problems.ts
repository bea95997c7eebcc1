import type { NextFunction, Request, Response } from "express";
import { TesseraError, type ErrorCode } from "../../core/errors.js";
import { PROBLEM_CONTENT_TYPE, problemFor } from "../problem.js";

/** Options of {@link sendProblem}. */
export interface SendProblemOptions {
  detail?: string;
  headers?: Readonly<Record<string, string>>;
  extra?: Readonly<Record<string, unknown>>;
}

/**
 * Sends an RFC 9457 problem with its stable `code`; the status comes from the one code table.
 *
 * @example
 * if (!note) return sendProblem(res, "not_found", { detail: "No such note" });
 */
export function sendProblem(res: Response, code: ErrorCode, options: SendProblemOptions = {}): void {
  const problem = problemFor(code, {
    ...(options.detail === undefined ? {} : { detail: options.detail }),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  });
  if (options.headers) res.set(options.headers);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.body));
}

/**
 * `app.use(problemNotFound)` after the routes: 404 problem+json.
 *
 * @example
 * app.use(problemNotFound);
 */
export function problemNotFound(req: Request, res: Response): void {
  sendProblem(res, "not_found", { detail: `No route for ${req.method} ${req.path}` });
}

/** body-parser's error `type`s, as problem codes. */
const BODY_PARSER_ERRORS: Readonly<Record<string, ErrorCode>> = {
  "entity.parse.failed": "validation_failed",
  "entity.too.large": "body_too_large",
  "encoding.unsupported": "unsupported_media_type",
  "charset.unsupported": "unsupported_media_type",
  "request.size.invalid": "invalid_request",
  "request.aborted": "invalid_request",
};

/**
 * `app.use(problemErrorHandler)` last: body-parser errors (bad JSON 400, too large 413, ...), a
 * store outage (503 with `Retry-After`) and any other client error as problem+json; other errors
 * are 500 `internal_error` with no internals.
 *
 * @example
 * app.use(problemErrorHandler);
 */
export function problemErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  const type = typeof error === "object" && error !== null && "type" in error && typeof error.type === "string" ? error.type : "";
  const parsed = BODY_PARSER_ERRORS[type];
  if (parsed === "validation_failed") {
    sendProblem(res, parsed, { detail: "The body is not valid JSON", extra: { errors: [{ field: "body", message: "is not valid JSON" }] } });
    return;
  }
  if (parsed !== undefined) {
    sendProblem(res, parsed);
    return;
  }
  if (error instanceof TesseraError && error.code === "backend_unavailable") {
    sendProblem(res, "backend_unavailable", { detail: error.message, headers: { "Retry-After": "5" } });
    return;
  }
  const status = typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : 500;
  if (status >= 400 && status < 500) {
    sendProblem(res, status === 404 ? "not_found" : "invalid_request");
    return;
  }
  sendProblem(res, "internal_error", { detail: "An unexpected error occurred" });
}

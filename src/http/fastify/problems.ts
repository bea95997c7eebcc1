import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { TesseraError, type ErrorCode } from "../../core/errors.js";
import { PROBLEM_CONTENT_TYPE, problemFor } from "../problem.js";

/** Options of {@link sendProblem}. */
export interface SendProblemOptions {
  detail?: string;
  headers?: Readonly<Record<string, string>>;
  /** Extension members of the problem (`errors`, ...). */
  extra?: Readonly<Record<string, unknown>>;
}

/**
 * Sends an RFC 9457 problem with its stable `code`; the status comes from the one code table.
 *
 * @example
 * if (!note) return sendProblem(reply, "not_found", { detail: "No such note" });
 */
export function sendProblem(reply: FastifyReply, code: ErrorCode, options: SendProblemOptions = {}): FastifyReply {
  const problem = problemFor(code, {
    ...(options.detail === undefined ? {} : { detail: options.detail }),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  });
  if (options.headers) void reply.headers(options.headers);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.body);
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Ajv's errors as `[{ field, message }]`. */
export function fieldErrors(issues: readonly ValidationIssue[], context: string | undefined): { field: string; message: string }[] {
  return issues.map((issue) => {
    const missing = issue.params?.["missingProperty"];
    const extra = issue.params?.["additionalProperty"];
    const path = (issue.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".");
    const field = typeof missing === "string" ? [path, missing].filter(Boolean).join(".") : typeof extra === "string" ? extra : path;
    return { field: field === "" ? (context ?? "body") : field, message: issue.message ?? "is invalid" };
  });
}

/** The problem code for one of Fastify's own errors, or null when it is not a client error Fastify names. */
function problemForFastifyError(error: FastifyError): { code: ErrorCode; options: SendProblemOptions } | null {
  if (error.validation) {
    return {
      code: "validation_failed",
      options: { detail: "The request is not valid", extra: { errors: fieldErrors(error.validation, error.validationContext) } },
    };
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "body_too_large", options: { detail: "The request body is larger than the configured limit" } };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { code: "unsupported_media_type", options: { detail: "Send the body as application/json" } };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { code: "validation_failed", options: { detail: "The body is not valid JSON", extra: { errors: [{ field: "body", message: "is not valid JSON" }] } } };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { code: "invalid_request", options: { detail: "Content-Length does not match the body" } };
    default:
      return null;
  }
}

/**
 * `app.setErrorHandler(problemErrorHandler)`: every error leaves as problem+json with a stable
 * code: validation, body parsing, a store outage (503 with `Retry-After`), any other 4xx;
 * anything else is logged and answered 500 `internal_error` without internals.
 *
 * @example
 * app.setErrorHandler(problemErrorHandler);
 */
export function problemErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = problemForFastifyError(error);
  if (known) return sendProblem(reply, known.code, known.options);
  if (error instanceof TesseraError && error.code === "backend_unavailable") {
    request.log.warn({ err: { message: error.message } }, "backend unavailable");
    return sendProblem(reply, "backend_unavailable", { detail: error.message, headers: { "retry-after": "5" } });
  }
  const status = error.statusCode ?? 500;
  if (status === 404) return sendProblem(reply, "not_found");
  if (status === 405) return sendProblem(reply, "method_not_allowed");
  if (status >= 400 && status < 500) return sendProblem(reply, "invalid_request", { detail: "The request could not be processed" });
  // Log the fault for operators; the client learns nothing about internals.
  request.log.error({ err: error }, "unhandled error");
  return sendProblem(reply, "internal_error", { detail: "An unexpected error occurred" });
}

/**
 * `app.setNotFoundHandler(problemNotFoundHandler)`: 404 problem+json for unknown routes.
 *
 * @example
 * app.setNotFoundHandler(problemNotFoundHandler);
 */
export function problemNotFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split("?")[0] ?? "";
  return sendProblem(reply, "not_found", { detail: `No route for ${request.method} ${path}` });
}

import type { FastifyReply } from "fastify";
import type { ErrorCode } from "../core/errors.js";
import { PROBLEM_CONTENT_TYPE, problemFor } from "../http/problem.js";

export interface ProblemOptions {
  detail?: string;
  headers?: Record<string, string>;
  extra?: Record<string, unknown>;
}

/** Sends an RFC 9457 problem with its stable `code`; the status comes from the one code table. */
export function sendProblem(reply: FastifyReply, code: ErrorCode, options: ProblemOptions = {}): FastifyReply {
  const problem = problemFor(code, {
    ...(options.detail === undefined ? {} : { detail: options.detail }),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  });
  if (options.headers) void reply.headers(options.headers);
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem.body);
}

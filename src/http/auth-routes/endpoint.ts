import type { ErrorCode } from "../../core/errors.js";
import { PROBLEM_CONTENT_TYPE, problemFor } from "../problem.js";
import type { RequestView } from "../request-view.js";

/** A request as an auth endpoint sees it, whatever the framework. */
export interface EndpointRequest {
  view: RequestView;
  /** The parsed JSON body (undefined without one). */
  body: unknown;
  /** Path parameters (`id`). */
  params: Readonly<Record<string, string>>;
  /** The client address as the framework resolved it (trust-proxy rules are the app's). */
  ip: string;
}

/** What an endpoint answers; `body` is sent as JSON (or nothing when undefined). */
export interface EndpointResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** One mountable route. */
export interface AuthEndpoint {
  method: "GET" | "POST" | "DELETE";
  /** Path with `:id`-style parameters, prefix included. */
  path: string;
  handle(request: EndpointRequest): Promise<EndpointResponse>;
}

const JSON_TYPE = "application/json; charset=utf-8";
export const NO_STORE: Readonly<Record<string, string>> = { "Cache-Control": "no-store", Pragma: "no-cache" };

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): EndpointResponse {
  return { status, headers: { ...headers, "Content-Type": JSON_TYPE }, body };
}

export function problemResponse(
  code: ErrorCode,
  options: { detail?: string | undefined; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
): EndpointResponse {
  const problem = problemFor(code, {
    ...(options.detail === undefined ? {} : { detail: options.detail }),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  });
  return { status: problem.status, headers: { ...options.headers, "Content-Type": PROBLEM_CONTENT_TYPE }, body: problem.body };
}

export function validationProblem(field: string, message: string): EndpointResponse {
  return problemResponse("validation_failed", { detail: `${field} ${message}`, extra: { errors: [{ field, message }] } });
}

/** Reads an optional string member of a JSON object body; `undefined` when absent, `null` when of another type. */
export function stringMember(body: unknown, name: string): string | undefined | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : null;
}

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { BackendUnavailableError, TesseraError } from "../core/errors.js";
import { problemErrorHandler, sendProblem } from "../http/fastify/problems.js";

/**
 * Every error leaves as problem+json with a stable code, including Fastify's own (unknown
 * route, body too large, wrong media type, malformed JSON). No stack trace or SQL ever leaves.
 * A backend outage (503) is reported to `onBackendUnavailable` instead of logged per request.
 */
export function installErrorHandling(app: FastifyInstance, options: { onBackendUnavailable?: (backend: string) => void } = {}): void {
  const routes = collectRoutes(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = routes.methodsFor(path);
    if (allowed.length > 0) {
      // RFC 9110 15.5.6: the resource exists, not with this method.
      return sendProblem(reply, "method_not_allowed", {
        detail: `${request.method} is not allowed here`,
        headers: { allow: allowed.join(", ") },
      });
    }
    return sendProblem(reply, "not_found", { detail: `No route for ${request.method} ${path}` });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === "TESSERA_NUL_IN_BODY") {
      return sendProblem(reply, "validation_failed", {
        detail: "Text fields may not contain NUL characters",
        extra: { errors: [{ field: "body", message: "contains a NUL character" }] },
      });
    }
    if (options.onBackendUnavailable !== undefined && error instanceof TesseraError && error.code === "backend_unavailable") {
      // Counted and logged once per down/up transition (backend-health.ts), not once per request.
      options.onBackendUnavailable(error instanceof BackendUnavailableError ? error.backend : "unknown");
      return sendProblem(reply, "backend_unavailable", { detail: error.message, headers: { "retry-after": "5" } });
    }
    // Everything else as any app on the adapter answers it: validation, body parsing, outages, faults.
    return problemErrorHandler(error, request, reply);
  });
}

/**
 * Fastify's `frameworkErrors` hook: errors its router raises before any route or error handler
 * runs. A path with a broken percent-escape (`/api/users/%`) names no resource: 404 not_found,
 * as an id that is not an integer does (docs/http-api.md, Errors).
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === "FST_ERR_BAD_URL") {
    void sendProblem(reply, "not_found", { detail: "The path is not a valid URL" });
    return;
  }
  request.log.warn({ code: error.code }, "request refused by the router");
  void sendProblem(reply, "validation_failed", { detail: "The request could not be routed" });
}

/** Every route's path pattern, to tell "no such resource" (404) from "not with this method" (405). */
function collectRoutes(app: FastifyInstance) {
  const patterns: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook("onRoute", (route) => {
    if (route.url.includes("*")) return;
    const source = "^" + route.url.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[^/]+/g, "[^/]+") + "$";
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const existing = patterns.find((entry) => entry.pattern.source === source);
    if (existing) for (const method of methods) existing.methods.add(method);
    else patterns.push({ pattern: new RegExp(source), methods: new Set(methods) });
  });
  return {
    methodsFor(path: string): string[] {
      const methods = new Set<string>();
      for (const entry of patterns) if (entry.pattern.test(path)) for (const method of entry.methods) methods.add(method);
      return [...methods].sort();
    },
  };
}

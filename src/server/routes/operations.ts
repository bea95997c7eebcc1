import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { sendProblem } from "../../http/fastify/problems.js";

/** `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and the JWKS. */
export async function registerOperationRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.get(
    "/healthz",
    {
      schema: {
        tags: ["operations"],
        summary: "The process is up",
        response: { 200: { type: "object", properties: { status: { type: "string" } }, required: ["status"] } },
      },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["operations"],
        summary: "Every backend answers (database, and Redis when configured)",
        response: {
          200: readinessSchema,
          503: { $ref: "Problem#" },
        },
      },
    },
    async (_request, reply) => {
      const checks = await Promise.all(
        context.readiness.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), 2_000);
            return { name, ok: true };
          } catch {
            return { name, ok: false };
          }
        }),
      );
      const failing = checks.filter((check) => !check.ok).map((check) => check.name);
      const states = Object.fromEntries(checks.map((check) => [check.name, check.ok ? "ok" : "down"]));
      if (failing.length === 0) return reply.code(200).send({ status: "ready", checks: states, failing });
      return sendProblem(reply, "backend_unavailable", {
        detail: `Not ready: ${failing.join(", ")} ${failing.length === 1 ? "is" : "are"} down`,
        extra: { status: "unavailable", checks: states, failing },
      });
    },
  );

  app.get("/metrics", { schema: { tags: ["operations"], summary: "Prometheus metrics", hide: false } }, async (_request, reply) => {
    const { contentType, body } = await context.metrics.render();
    return reply.type(contentType).send(body);
  });

  let document: unknown;
  app.get("/openapi.json", { schema: { hide: true } }, async () => (document ??= withProblemMediaType(app.swagger())));

  app.get(
    "/.well-known/jwks.json",
    {
      schema: {
        tags: ["tokens"],
        summary: "JWK Set of the public keys that verify access tokens (empty for HS256)",
        response: { 200: { type: "object", properties: { keys: { type: "array", items: { type: "object", additionalProperties: true } } }, required: ["keys"] } },
      },
    },
    async (_request, reply) => {
      void reply.header("cache-control", "public, max-age=300");
      return context.tessera.keys.jwks();
    },
  );
}

const readinessSchema = {
  type: "object",
  properties: {
    status: { type: "string" },
    checks: { type: "object", additionalProperties: { type: "string" } },
    failing: { type: "array", items: { type: "string" } },
  },
  required: ["status", "checks", "failing"],
} as const;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Error responses are sent as `application/problem+json` (RFC 9457); the generated document
 * says `application/json` for every response, so error responses are relabelled.
 */
function withProblemMediaType<T>(document: T): T {
  const copy = structuredClone(document) as { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };
  for (const operations of Object.values(copy.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.["application/json"];
        if (json === undefined || !/^[45]/.test(status) || !JSON.stringify(json).includes("#/components/schemas/Problem")) continue;
        response.content = { "application/problem+json": json };
      }
    }
  }
  return copy as T;
}

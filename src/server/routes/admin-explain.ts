import type { FastifyInstance } from "fastify";
import type { TokenExplanation } from "../../auth/explain-token.js";
import { requireAdmin } from "../admin-guard.js";
import type { ServerContext } from "../context.js";
import { isoTime, presentAuditEvent } from "../presenters.js";
import type { RequireAuth } from "../route-guard.js";
import { problemResponses } from "../schemas.js";

const explanationSchema = {
  type: "object",
  properties: {
    accepted: { type: "boolean" },
    code: { type: ["string", "null"], description: "What a client presenting the token gets (null when accepted)" },
    kind: { type: "string", enum: ["access_token", "client_token", "personal_access_token", "app_token", "refresh_token", "client_secret", "unknown"] },
    explanation: { type: "array", items: { type: "string" }, description: "The verdict first, then one sentence per finding" },
    user_id: { type: ["string", "null"] },
    client_id: { type: ["string", "null"] },
    session_id: { type: ["integer", "null"] },
    token_id: { type: ["integer", "null"] },
    jti: { type: ["string", "null"] },
    scopes: { type: "array", items: { type: "string" } },
    issued_at: { type: ["string", "null"] },
    expires_at: { type: ["string", "null"] },
    signing_key: {
      type: ["object", "null"],
      properties: { kid: { type: "string" }, alg: { type: ["string", "null"] }, known: { type: "boolean" }, retired: { type: "boolean" } },
    },
    issuer: { type: ["object", "null"], properties: { expected: { type: "string" }, actual: { type: ["string", "null"] } } },
    audience: { type: ["object", "null"], properties: { expected: { type: "string" }, actual: {} } },
    revocation: {
      type: ["object", "null"],
      properties: { at: { type: ["string", "null"] }, how: { type: "string" }, event: { type: ["object", "null"], additionalProperties: true } },
    },
  },
  required: ["accepted", "code", "kind", "explanation", "user_id", "client_id", "session_id", "token_id", "jti", "scopes", "issued_at", "expires_at", "signing_key", "issuer", "audience", "revocation"],
} as const;

/** The HTTP shape of an explanation (snake_case, RFC 3339 times). */
export function presentExplanation(explained: TokenExplanation) {
  return {
    accepted: explained.accepted,
    code: explained.code,
    kind: explained.kind,
    explanation: explained.explanation,
    user_id: explained.userId,
    client_id: explained.clientId,
    session_id: explained.sessionId,
    token_id: explained.tokenId,
    jti: explained.jti,
    scopes: explained.scopes,
    issued_at: isoTime(explained.issuedAt),
    expires_at: isoTime(explained.expiresAt),
    signing_key: explained.signingKey,
    issuer: explained.issuer,
    audience: explained.audience,
    revocation:
      explained.revocation === null
        ? null
        : { at: isoTime(explained.revocation.at), how: explained.revocation.how, event: explained.revocation.event === null ? null : presentAuditEvent(explained.revocation.event) },
  };
}

/** `POST /api/admin/explain`: why a token is or is not accepted, for admins only. */
export async function registerAdminExplainRoute(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  app.post<{ Body: { token: string } }>(
    "/api/admin/explain",
    {
      onRequest: requireAdmin(context, requireAuth),
      schema: {
        tags: ["admin"],
        summary: "Explain a token: what it is and why it is or is not accepted (kind, owner, times, key, revocation from the audit log)",
        description: "Reads only: the token is not used, stamped or revoked, and no client ever sees this in a 401.",
        security: [{ bearer: [] }],
        body: { type: "object", properties: { token: { type: "string", minLength: 1, maxLength: 8192 } }, required: ["token"], additionalProperties: false },
        response: { 200: explanationSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store");
      // Events of a revocation a moment ago may still be buffered.
      await context.tessera.audit.flush().catch(() => undefined);
      return presentExplanation(await context.tessera.explain(request.body.token));
    },
  );
}

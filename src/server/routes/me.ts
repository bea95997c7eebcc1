import { describeSession, describeStoredToken } from "../../auth/explain-token.js";
import type { FastifyInstance } from "fastify";
import type { StoredTokenRecord } from "../../core/token-store.js";
import { parseScope } from "../../core/scopes.js";
import { authOf, invalidTokenChallenge, type RequireAuth } from "../route-guard.js";
import type { ServerContext } from "../context.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { isoTime, parseId, presentUser } from "../presenters.js";
import { idParamsSchema, problemResponses } from "../schemas.js";
import { sendValidationProblem } from "./users.js";

/** One year, the contract's longest personal access token lifetime. */
const MAX_PAT_TTL_SECONDS = 365 * 86400;

const timestamp = { type: "string", format: "date-time" } as const;
const nullableTimestamp = { type: ["string", "null"], format: "date-time" } as const;

const meSchema = {
  allOf: [
    { $ref: "User#" },
    {
      type: "object",
      properties: {
        auth: {
          type: "object",
          properties: {
            token_type: { type: "string", enum: ["access_token", "personal_access_token"] },
            scope: { type: "string", description: "Space-separated granted scopes" },
            session_id: { type: ["integer", "null"], description: "null for a personal access token" },
            expires_at: { ...nullableTimestamp, description: "null for a personal access token without expiry" },
          },
          required: ["token_type", "scope", "session_id", "expires_at"],
        },
      },
      required: ["auth"],
    },
  ],
} as const;

const sessionListSchema = {
  type: "array",
  items: {
    type: "object",
    properties: {
      id: { type: "integer" },
      created_at: timestamp,
      last_used_at: timestamp,
      user_agent: { type: ["string", "null"] },
      ip: { type: ["string", "null"] },
      current: { type: "boolean", description: "Whether the presented access token belongs to this session" },
      status: { type: "string", enum: ["active"] },
      explanation: { type: "string", description: "The session's facts in words (as POST /api/admin/explain words them)" },
    },
    required: ["id", "created_at", "last_used_at", "user_agent", "ip", "current", "status", "explanation"],
  },
} as const;

const tokenProperties = {
  id: { type: "integer" },
  name: { type: "string" },
  scope: { type: "string" },
  created_at: timestamp,
  expires_at: nullableTimestamp,
} as const;

const createdTokenSchema = {
  type: "object",
  properties: { ...tokenProperties, token: { type: "string", description: "The secret; shown this once only" } },
  required: ["id", "name", "scope", "token", "created_at", "expires_at"],
} as const;

const tokenListSchema = {
  type: "array",
  items: {
    type: "object",
    properties: {
      ...tokenProperties,
      last_used_at: nullableTimestamp,
      status: { type: "string", enum: ["active", "expired"] },
      explanation: { type: "string", description: "Whether it is accepted and why, in words: expiry, scope, last use" },
    },
    required: ["id", "name", "scope", "created_at", "expires_at", "last_used_at", "status", "explanation"],
  },
} as const;

interface NewTokenBody {
  name: string;
  scope: string;
  expires_in?: number | null;
  password?: string;
}

function presentToken(record: StoredTokenRecord) {
  return {
    id: record.id,
    name: record.name,
    scope: record.scope,
    created_at: isoTime(record.createdAt),
    expires_at: isoTime(record.expiresAt),
  };
}

/**
 * `GET /api/me`, the caller's sessions (`/api/me/sessions`) and personal access tokens
 * (`/api/me/tokens`).
 *
 * These routes act only on the caller's own account: reading needs `users:read`, changing or
 * revoking anything `users:write` (docs/http-api.md), so a `posts:read` PAT cannot read the
 * email or end the user's sessions. Minting a personal access token is refused to personal access
 * tokens, needs the current password unless the login is under 5 minutes old, and the new
 * token's scope must be a subset of the caller's.
 *
 * @example
 * await registerMeRoutes(app, context, createAuthGuards(context));
 */
export async function registerMeRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  const { tessera, metrics } = context;

  app.get(
    "/api/me",
    {
      onRequest: requireAuth({ scopes: ["users:read"] }),
      schema: {
        tags: ["me"],
        summary: "The caller's user (with email) and what the presented token grants",
        security: [{ bearer: [] }],
        response: { 200: meSchema, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const profile = await context.profiles.load(auth.userId);
      if (!profile) {
        // A token that outlived its user (a race with the delete): it no longer speaks for anyone.
        const detail = "The user of this token no longer exists";
        return sendProblem(reply, "token_revoked", { detail, headers: { "www-authenticate": invalidTokenChallenge(detail) } });
      }
      // presentUser builds a fresh object: add `auth` to it rather than copying it into another
      // (the response schema fixes the order of the fields on the wire either way).
      return Object.assign(presentUser(profile.user, { postCount: profile.postCount, viewerId: auth.userId }), {
        auth: {
          token_type: auth.tokenType,
          scope: auth.scopes.join(" "),
          session_id: auth.sessionId,
          expires_at: isoTime(auth.expiresAt),
        },
      });
    },
  );

  app.get(
    "/api/me/sessions",
    {
      onRequest: requireAuth({ scopes: ["users:read"] }),
      schema: {
        tags: ["me"],
        summary: "The caller's live login sessions, newest first",
        security: [{ bearer: [] }],
        response: { 200: sessionListSchema, ...problemResponses(401) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const sessions = await tessera.sessions.list(auth.userId);
      const now = tessera.clock.now();
      return sessions.map((session) => ({
        id: session.id,
        created_at: isoTime(session.createdAt),
        last_used_at: isoTime(session.lastUsedAt),
        user_agent: session.userAgent,
        ip: session.ip,
        current: session.id === auth.sessionId,
        ...describeSession(session, now),
      }));
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/me/sessions/:id",
    {
      onRequest: requireAuth({ scopes: ["users:write"] }),
      schema: {
        tags: ["me"],
        summary: "End one of the caller's sessions; its access and refresh tokens stop working",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const id = parseId(request.params.id);
      // Another user's session is a 404, not a 403: its existence is none of the caller's business.
      if (id === null || !(await tessera.sessions.revoke(auth.userId, id))) {
        return sendProblem(reply, "not_found", { detail: "No such session" });
      }
      metrics.tokensRevoked.inc({ kind: "session" });
      return reply.code(204).send();
    },
  );

  app.delete(
    "/api/me/sessions",
    {
      onRequest: requireAuth({ scopes: ["users:write"] }),
      schema: {
        tags: ["me"],
        summary: "Log out everywhere: end every session of the caller, the current one included",
        description: "Personal access tokens are not sessions and keep working; revoke them under /api/me/tokens.",
        security: [{ bearer: [] }],
        response: { 204: { type: "null" }, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const revoked = await tessera.sessions.revokeAll(auth.userId);
      metrics.tokensRevoked.inc({ kind: "session" }, revoked);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: NewTokenBody }>(
    "/api/me/tokens",
    {
      onRequest: requireAuth({ scopes: ["users:write"], allowPersonalAccessToken: false }),
      schema: {
        tags: ["me"],
        summary: "Create a personal access token; the token is shown this once",
        description:
          "`scope` must be a subset of the presenting token's scope, else 400 `validation_failed` on `scope` " +
          "(as when a login asks for more than the user may hold). `expires_in` is in seconds, at most one year; " +
          "without it the token expires after TESSERA_PAT_DEFAULT_TTL (90 days), and `null` asks for a token that never expires. " +
          "`password` (the current one) is required unless the access token comes from a login less than 5 minutes old: " +
          "a missing or wrong password is 400 `validation_failed` on `password`. " +
          "A personal access token cannot create tokens (403 `forbidden`). Needs `users:write`.",
        security: [{ bearer: [] }],
        body: {
          type: "object",
          properties: {
            name: { type: "string", minLength: 1, maxLength: 100 },
            scope: { type: "string", minLength: 1, maxLength: 1024, description: "Space-separated scopes" },
            expires_in: { type: ["integer", "null"], minimum: 1, maximum: MAX_PAT_TTL_SECONDS },
            password: { type: "string", minLength: 1, maxLength: 4096, description: "The current password; needed unless the login is under 5 minutes old" },
          },
          required: ["name", "scope"],
          additionalProperties: false,
        },
        response: { 201: createdTokenSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const body = request.body;
      const scope = checkRequestedScope(body.scope, auth.scopes);
      if (!scope.ok) return sendValidationProblem(reply, [{ field: "scope", message: scope.message }]);
      const expiresIn = body.expires_in === undefined ? context.config.patDefaultTtlSeconds : body.expires_in;
      if (expiresIn !== null && expiresIn > tessera.maxTokenTtlSeconds) {
        return sendValidationProblem(reply, [
          { field: "expires_in", message: `must be <= ${tessera.maxTokenTtlSeconds}` },
        ]);
      }
      // A stolen 15-minute access token must not turn into a long-lived PAT: prove the password
      // again, unless the login itself is fresh.
      const confirmed = await tessera.confirmIdentity({ ...auth, userId: String(auth.userId) }, { password: body.password });
      if (!confirmed.ok) {
        const message = body.password === undefined ? "is required unless you logged in less than 5 minutes ago" : "is incorrect";
        return sendValidationProblem(reply, [{ field: "password", message }]);
      }
      const issued = await tessera.personalAccessTokens.create(auth.userId, {
        name: body.name,
        scope: scope.scope,
        expiresInSeconds: expiresIn,
      });
      metrics.tokensIssued.inc({ kind: "personal_access_token" });
      return reply
        .code(201)
        .header("cache-control", "no-store")
        .header("pragma", "no-cache")
        .send({ ...presentToken(issued.record), token: issued.token });
    },
  );

  app.get(
    "/api/me/tokens",
    {
      onRequest: requireAuth({ scopes: ["users:read"] }),
      schema: {
        tags: ["me"],
        summary: "The caller's personal access tokens, without their secrets",
        security: [{ bearer: [] }],
        response: { 200: tokenListSchema, ...problemResponses(401) },
      },
    },
    async (request) => {
      const tokens = await tessera.personalAccessTokens.list(authOf(request).userId);
      const now = tessera.clock.now();
      return tokens.map((record) => ({ ...presentToken(record), last_used_at: isoTime(record.lastUsedAt), ...describeStoredToken(record, now) }));
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/me/tokens/:id",
    {
      onRequest: requireAuth({ scopes: ["users:write"] }),
      schema: {
        tags: ["me"],
        summary: "Revoke one of the caller's personal access tokens",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const id = parseId(request.params.id);
      // The store revokes only the caller's own token, so another user's id is a 404 too.
      const revoked = id === null ? false : (await tessera.personalAccessTokens.revoke(auth.userId, id)) !== null;
      if (!revoked) return sendProblem(reply, "not_found", { detail: "No such token" });
      metrics.tokensRevoked.inc({ kind: "personal_access_token" });
      return reply.code(204).send();
    },
  );
}

/** The requested scope, normalised, when it is well formed, non-empty and within `granted`. */
function checkRequestedScope(requested: string, granted: readonly string[]): { ok: true; scope: string } | { ok: false; message: string } {
  const parsed = parseScope(requested);
  if (!parsed.ok) return { ok: false, message: "is not a valid scope string" };
  if (parsed.scopes.length === 0) return { ok: false, message: "must name at least one scope" };
  const beyond = parsed.scopes.filter((scope) => !granted.includes(scope));
  // 400 rather than 403 insufficient_scope: the request asks for something it cannot have, as a
  // login asking for too much does; the presenting token itself is fine for this route.
  if (beyond.length > 0) return { ok: false, message: `exceeds the scope of the presenting token: ${beyond.join(" ")}` };
  return { ok: true, scope: parsed.scopes.join(" ") };
}

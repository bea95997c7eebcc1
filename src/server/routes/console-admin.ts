import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createKeyRing } from "../../core/jwt/index.js";
import type { SigningKeyRecord, StoredTokenRecord } from "../../core/token-store.js";
import { sendProblem } from "../../http/fastify/problems.js";
import type { ServerContext } from "../context.js";
import { isoTime, parseId, presentPage } from "../presenters.js";
import { authOf, type RequireAuth } from "../route-guard.js";
import { idParamsSchema, pageSchema, paginationQuerySchema, problemResponses } from "../schemas.js";
import type { UserRecord } from "../store/index.js";
import { clampPerPage, pageWindow, type PageQuery } from "./users.js";

const timestamp = { type: "string", format: "date-time" } as const;
const nullableTimestamp = { type: ["string", "null"], format: "date-time" } as const;

const adminUserSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    username: { type: "string" },
    email: { type: ["string", "null"] },
    about_me: { type: ["string", "null"] },
    is_admin: { type: "boolean" },
    created_at: timestamp,
    last_seen: nullableTimestamp,
  },
  required: ["id", "username", "email", "about_me", "is_admin", "created_at", "last_seen"],
} as const;

const adminUserPageSchema = pageSchema(adminUserSchema);

const adminSessionListSchema = {
  type: "array",
  items: {
    type: "object",
    properties: {
      id: { type: "integer" },
      created_at: timestamp,
      last_used_at: timestamp,
      user_agent: { type: ["string", "null"] },
      ip: { type: ["string", "null"] },
    },
    required: ["id", "created_at", "last_used_at", "user_agent", "ip"],
  },
} as const;

const adminTokenListSchema = {
  type: "array",
  items: {
    type: "object",
    properties: {
      id: { type: "integer" },
      name: { type: "string" },
      scope: { type: "string" },
      created_at: timestamp,
      expires_at: nullableTimestamp,
      last_used_at: nullableTimestamp,
    },
    required: ["id", "name", "scope", "created_at", "expires_at", "last_used_at"],
  },
} as const;

const signingKeySchema = {
  type: "object",
  properties: {
    kid: { type: "string" },
    alg: { type: "string" },
    status: { type: "string", enum: ["signing", "standby", "retired", "expired"] },
    created_at: timestamp,
    retired_at: nullableTimestamp,
    expires_at: { ...nullableTimestamp, description: "When the key stops verifying (retired keys); null while it signs" },
  },
  required: ["kid", "alg", "status", "created_at", "retired_at", "expires_at"],
} as const;

function presentAdminUser(user: UserRecord) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    about_me: user.aboutMe,
    is_admin: user.isAdmin,
    created_at: isoTime(user.createdAt),
    last_seen: isoTime(user.lastSeenAt),
  };
}

function presentStoredToken(record: StoredTokenRecord) {
  return {
    id: record.id,
    name: record.name,
    scope: record.scope,
    created_at: isoTime(record.createdAt),
    expires_at: isoTime(record.expiresAt),
    last_used_at: isoTime(record.lastUsedAt),
  };
}

/** As `tessera keys list` says it: the key that signs, keys that may still verify, and dead ones. */
function keyStatus(key: SigningKeyRecord, signingKid: string | null, now: number): "signing" | "standby" | "retired" | "expired" {
  if (key.kid === signingKid) return "signing";
  if (key.expiresAt !== null && key.expiresAt <= now) return "expired";
  return key.retiredAt === null ? "standby" : "retired";
}

/**
 * The admin API the console's operator pages use, under `/api/admin`: user search with emails,
 * a user's sessions and tokens, revoking all of them, signing keys and rotation. Only admins
 * (`is_admin`) may call it: anyone else gets 403 `forbidden`. Resetting a password and deleting
 * a user are the existing `PATCH` and `DELETE /api/users/{id}`.
 *
 * @example
 * await registerConsoleAdminRoutes(app, context, requireAuth);
 */
export async function registerConsoleAdminRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  const { tessera, users, metrics } = context;

  /** Runs after the token guard: the caller must be an admin now (read fresh, never cached). */
  async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (reply.sent) return;
    const caller = await users.getUserById(authOf(request).userId);
    if (caller?.isAdmin !== true) await sendProblem(reply, "forbidden", { detail: "Only admins may use the admin API" });
  }
  const admin = (scopes: string[], options: { allowPersonalAccessToken?: boolean } = {}) => [...requireAuth({ scopes, ...options }), requireAdmin];

  async function targetUser(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<UserRecord | null> {
    const id = parseId(request.params.id);
    const user = id === null ? null : await users.getUserById(id);
    if (!user) await sendProblem(reply, "not_found", { detail: "No such user" });
    return user;
  }

  app.get<{ Querystring: PageQuery & { q?: string } }>(
    "/api/admin/users",
    {
      onRequest: admin(["users:read"]),
      preHandler: clampPerPage,
      schema: {
        tags: ["admin"],
        summary: "Users with their emails, a page at a time; `q` keeps those whose username or email contains it",
        security: [{ bearer: [] }],
        querystring: {
          type: "object",
          properties: { ...paginationQuerySchema.properties, q: { type: "string", maxLength: 254, description: "Case-insensitive substring of username or email" } },
        },
        response: { 200: adminUserPageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { q, page, per_page } = request.query;
      const search = q?.trim() ?? "";
      const found = await users.listUsers({ ...pageWindow({ page, per_page }), ...(search === "" ? {} : { search }) });
      const body = presentPage(found.items.map(presentAdminUser), { path: "/api/admin/users", page, perPage: per_page, totalItems: found.total });
      const withSearch = (link: string | null) => (link === null || search === "" ? link : `${link}&q=${encodeURIComponent(search)}`);
      return { ...body, _links: { self: `${body._links.self}${search === "" ? "" : `&q=${encodeURIComponent(search)}`}`, next: withSearch(body._links.next), prev: withSearch(body._links.prev) } };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/admin/users/:id",
    {
      onRequest: admin(["users:read"]),
      schema: {
        tags: ["admin"],
        summary: "One user with their email and admin flag",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 200: adminUserSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await targetUser(request, reply);
      return user === null ? reply : presentAdminUser(user);
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/admin/users/:id/sessions",
    {
      onRequest: admin(["users:read"]),
      schema: {
        tags: ["admin"],
        summary: "A user's live login sessions, newest first",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 200: adminSessionListSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await targetUser(request, reply);
      if (!user) return reply;
      const sessions = await tessera.sessions.list(user.id);
      return sessions.map((session) => ({
        id: session.id,
        created_at: isoTime(session.createdAt),
        last_used_at: isoTime(session.lastUsedAt),
        user_agent: session.userAgent,
        ip: session.ip,
      }));
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/admin/users/:id/tokens",
    {
      onRequest: admin(["users:read"]),
      schema: {
        tags: ["admin"],
        summary: "A user's personal access tokens, without their secrets",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 200: adminTokenListSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await targetUser(request, reply);
      if (!user) return reply;
      return (await tessera.personalAccessTokens.list(user.id)).map(presentStoredToken);
    },
  );

  app.post<{ Params: { id: string } }>(
    "/api/admin/users/:id/revoke-all",
    {
      onRequest: admin(["users:write"], { allowPersonalAccessToken: false }),
      schema: {
        tags: ["admin"],
        summary: "End every session and revoke every personal access token of a user",
        description: "Not with a personal access token (403 `forbidden`).",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: {
          200: {
            type: "object",
            properties: { sessions_revoked: { type: "integer" }, tokens_revoked: { type: "integer" } },
            required: ["sessions_revoked", "tokens_revoked"],
          },
          ...problemResponses(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const user = await targetUser(request, reply);
      if (!user) return reply;
      const sessionsRevoked = await tessera.sessions.revokeAll(user.id);
      metrics.tokensRevoked.inc({ kind: "session" }, sessionsRevoked);
      let tokensRevoked = 0;
      // One user's tokens: as many as they created, each revoked through the revocation service.
      for (const token of await tessera.personalAccessTokens.list(user.id)) {
        if ((await tessera.personalAccessTokens.revoke(user.id, token.id)) !== null) tokensRevoked += 1;
      }
      metrics.tokensRevoked.inc({ kind: "personal_access_token" }, tokensRevoked);
      return { sessions_revoked: sessionsRevoked, tokens_revoked: tokensRevoked };
    },
  );

  function presentKeys() {
    const records = tessera.keys.records();
    const signingKid = createKeyRing(records).signingKey?.kid ?? null;
    const now = tessera.clock.now();
    return [...records]
      .sort((a, b) => b.createdAt - a.createdAt || b.kid.localeCompare(a.kid))
      .map((key) => ({
        kid: key.kid,
        alg: key.alg,
        status: keyStatus(key, signingKid, now),
        created_at: isoTime(key.createdAt),
        retired_at: isoTime(key.retiredAt),
        expires_at: isoTime(key.expiresAt),
      }));
  }

  app.get(
    "/api/admin/keys",
    {
      onRequest: admin([]),
      schema: {
        tags: ["admin"],
        summary: "The JWT signing keys, newest first (never their private parts)",
        security: [{ bearer: [] }],
        response: { 200: { type: "array", items: signingKeySchema }, ...problemResponses(401, 403) },
      },
    },
    async () => presentKeys(),
  );

  app.post(
    "/api/admin/keys/rotate",
    {
      onRequest: admin([], { allowPersonalAccessToken: false }),
      schema: {
        tags: ["admin"],
        summary: "Start signing with a new key of the current algorithm; older keys verify until their tokens expire",
        description: "As `tessera keys rotate`. Not with a personal access token (403 `forbidden`).",
        security: [{ bearer: [] }],
        response: { 201: signingKeySchema, ...problemResponses(401, 403) },
      },
    },
    async (_request, reply) => {
      const created = await tessera.keys.rotate();
      const presented = presentKeys().find((key) => key.kid === created.kid);
      return reply.code(201).send(presented);
    },
  );
}

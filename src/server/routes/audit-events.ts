import type { FastifyInstance } from "fastify";
import type { AuditQuery } from "../../core/token-store.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { requireAdmin } from "../admin-guard.js";
import type { ServerContext } from "../context.js";
import { presentAuditEvent } from "../presenters.js";
import { authOf, type RequireAuth } from "../route-guard.js";
import { problemResponses } from "../schemas.js";
import { parseSince } from "../time-filter.js";

const eventSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    at: { type: "string" },
    type: { type: "string" },
    actor: {
      type: "object",
      properties: { type: { type: "string", enum: ["user", "client", "operator", "anonymous"] }, id: { type: ["string", "null"] } },
      required: ["type", "id"],
    },
    user_id: { type: ["integer", "null"] },
    client_id: { type: ["string", "null"] },
    session_id: { type: ["integer", "null"] },
    subject: { type: ["string", "null"] },
    reason: { type: ["string", "null"] },
    ip: { type: ["string", "null"] },
    user_agent: { type: ["string", "null"] },
    request_id: { type: ["string", "null"] },
    via: { type: ["string", "null"] },
    count: { type: "integer" },
  },
  required: ["id", "at", "type", "actor", "user_id", "client_id", "session_id", "subject", "reason", "ip", "user_agent", "request_id", "via", "count"],
} as const;

const pageSchema = {
  type: "object",
  properties: { items: { type: "array", items: eventSchema }, next_cursor: { type: ["string", "null"] } },
  required: ["items", "next_cursor"],
} as const;

const MAX_LIMIT = 200;

/** A page of events newest first; `next_cursor` (the last id, as a string) reads the next older page. */
async function eventPage(context: ServerContext, query: Omit<AuditQuery, "limit" | "beforeId">, cursor: string | undefined, limit: number | undefined) {
  // Events written a moment ago may still be in the buffer: a reader sees them.
  await context.tessera.audit.flush().catch(() => undefined);
  const size = Math.min(limit ?? 50, MAX_LIMIT);
  const rows = await context.tessera.audit.list({ ...query, limit: size, ...(cursor === undefined ? {} : { beforeId: Number(cursor) }) });
  const last = rows.at(-1);
  return { items: rows.map(presentAuditEvent), next_cursor: rows.length === size && last !== undefined ? String(last.id) : null };
}

const cursorProperties = {
  cursor: { type: "string", pattern: "^[1-9][0-9]{0,15}$", description: "next_cursor of the previous page" },
  limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: 50 },
} as const;

/** `GET /api/me/events` (the caller's own) and `GET /api/admin/events` (everyone's, filtered). */
export async function registerAuditEventRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  app.get<{ Querystring: { cursor?: string; limit?: number } }>(
    "/api/me/events",
    {
      onRequest: requireAuth({ scopes: ["users:read"] }),
      schema: {
        tags: ["me"],
        summary: "The caller's own authentication events (logins, refreshes, revocations...), newest first, cursor-paginated",
        security: [{ bearer: [] }],
        querystring: { type: "object", properties: cursorProperties, additionalProperties: false },
        response: { 200: pageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => eventPage(context, { userId: String(authOf(request).userId) }, request.query.cursor, request.query.limit),
  );

  app.get<{ Querystring: { cursor?: string; limit?: number; user_id?: number; client_id?: string; type?: string; since?: string; until?: string } }>(
    "/api/admin/events",
    {
      onRequest: requireAdmin(context, requireAuth),
      schema: {
        tags: ["admin"],
        summary: "Every authentication event, newest first, filtered by user, client, type (comma-separated) and time",
        description: "`since` and `until` take an RFC 3339 time or an age (`90s`, `15m`, `1h`, `7d`); `since` is inclusive, `until` exclusive.",
        security: [{ bearer: [] }],
        querystring: {
          type: "object",
          properties: {
            ...cursorProperties,
            user_id: { type: "integer", minimum: 1 },
            client_id: { type: "string", maxLength: 64 },
            type: { type: "string", maxLength: 1024 },
            since: { type: "string", maxLength: 64 },
            until: { type: "string", maxLength: 64 },
          },
          additionalProperties: false,
        },
        response: { 200: pageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const now = context.tessera.clock.now();
      const since = query.since === undefined ? undefined : parseSince(query.since, now);
      const until = query.until === undefined ? undefined : parseSince(query.until, now);
      if (since === null || until === null) {
        return sendProblem(reply, "validation_failed", {
          detail: "The request is not valid",
          extra: { errors: [{ field: since === null ? "since" : "until", message: "must be an RFC 3339 time or an age like 15m" }] },
        });
      }
      const types = query.type?.split(",").map((type) => type.trim()).filter((type) => type !== "").slice(0, 50);
      return eventPage(
        context,
        {
          ...(query.user_id === undefined ? {} : { userId: String(query.user_id) }),
          ...(query.client_id === undefined ? {} : { clientId: query.client_id }),
          ...(types === undefined || types.length === 0 ? {} : { types }),
          ...(since === undefined ? {} : { since }),
          ...(until === undefined ? {} : { until }),
        },
        query.cursor,
        query.limit,
      );
    },
  );
}

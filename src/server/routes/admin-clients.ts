import type { FastifyInstance } from "fastify";
import { parseScope } from "../../core/scopes.js";
import type { ClientRecord } from "../../core/token-store.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { requireAdmin } from "../admin-guard.js";
import type { ServerContext } from "../context.js";
import { isoTime, parseId } from "../presenters.js";
import type { RequireAuth } from "../route-guard.js";
import { problemResponses } from "../schemas.js";
import { scopesOf, SERVER_SCOPES } from "../scopes.js";
import { sendValidationProblem } from "./users.js";

const clientSchema = {
  type: "object",
  properties: {
    client_id: { type: "string" },
    name: { type: "string" },
    scope: { type: "string" },
    owner_id: { type: ["integer", "null"] },
    created_at: { type: "string" },
    last_used_at: { type: ["string", "null"] },
    revoked_at: { type: ["string", "null"] },
    secrets: {
      type: "array",
      items: {
        type: "object",
        properties: { id: { type: "integer" }, created_at: { type: "string" }, last_used_at: { type: ["string", "null"] } },
        required: ["id", "created_at", "last_used_at"],
      },
    },
  },
  required: ["client_id", "name", "scope", "owner_id", "created_at", "last_used_at", "revoked_at"],
} as const;

const createdClientSchema = {
  type: "object",
  properties: { ...clientSchema.properties, client_secret: { type: "string" }, secret_id: { type: "integer" } },
  required: [...clientSchema.required, "client_secret", "secret_id"],
} as const;

const clientIdParams = {
  type: "object",
  properties: { id: { type: "string", maxLength: 64 } },
  required: ["id"],
} as const;

/** The public shape of a client: never a secret or a secret's hash. */
function presentClient(client: ClientRecord) {
  return {
    client_id: client.id,
    name: client.name,
    scope: client.scope,
    owner_id: client.ownerId === null ? null : Number(client.ownerId),
    created_at: isoTime(client.createdAt),
    last_used_at: isoTime(client.lastUsedAt),
    revoked_at: isoTime(client.revokedAt),
  };
}

interface NewClientBody {
  name: string;
  scope: string;
  owner_id?: number | null;
}

/** `/api/admin/clients`: machine clients (OAuth 2.0 client credentials), admins only. */
export async function registerAdminClientRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  const { tessera, metrics } = context;
  const adminOnly = requireAdmin(context, requireAuth);

  app.post<{ Body: NewClientBody }>(
    "/api/admin/clients",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["admin"],
        summary: "Create a machine client; its secret is shown this once",
        description:
          "`scope` lists what the client may ask for at `POST /oauth/token` (`grant_type=client_credentials`): server scopes only, " +
          "and with `owner_id` only scopes that user may hold. A client with an owner acts for that user; one without acts for no user " +
          "(it can introspect tokens when given `tokens:introspect`, nothing that needs a user).",
        security: [{ bearer: [] }],
        body: {
          type: "object",
          properties: {
            name: { type: "string", minLength: 1, maxLength: 200 },
            scope: { type: "string", maxLength: 1024, description: "Space-separated scopes" },
            owner_id: { type: ["integer", "null"], minimum: 1 },
          },
          required: ["name", "scope"],
          additionalProperties: false,
        },
        response: { 201: createdClientSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const parsed = body.scope.trim() === "" ? { ok: true as const, scopes: [] as string[] } : parseScope(body.scope);
      if (!parsed.ok) return sendValidationProblem(reply, [{ field: "scope", message: "is not a valid scope string" }]);
      let allowed = SERVER_SCOPES;
      if (body.owner_id !== undefined && body.owner_id !== null) {
        const owner = await context.users.getUserById(body.owner_id);
        if (owner === null) return sendValidationProblem(reply, [{ field: "owner_id", message: "no such user" }]);
        allowed = scopesOf(owner);
      }
      const unknown = parsed.scopes.filter((scope) => !allowed.includes(scope));
      if (unknown.length > 0) return sendValidationProblem(reply, [{ field: "scope", message: `not allowed: ${unknown.join(" ")}` }]);
      const created = await tessera.clients.create({ name: body.name, scope: parsed.scopes.join(" "), ownerId: body.owner_id ?? null });
      if (!created.ok) return sendValidationProblem(reply, [{ field: "name", message: created.detail ?? "is not valid" }]);
      metrics.tokensIssued.inc({ kind: "client_secret" });
      void reply.header("cache-control", "no-store").header("location", `/api/admin/clients/${created.client.id}`);
      return reply.code(201).send({ ...presentClient(created.client), client_secret: created.secret, secret_id: created.secretRecord.id });
    },
  );

  app.get(
    "/api/admin/clients",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["admin"],
        summary: "The live machine clients, newest first (never a secret)",
        security: [{ bearer: [] }],
        response: { 200: { type: "array", items: clientSchema }, ...problemResponses(401, 403) },
      },
    },
    async () => (await tessera.clients.list()).map(presentClient),
  );

  app.get<{ Params: { id: string } }>(
    "/api/admin/clients/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["admin"],
        summary: "One machine client with its live secrets' ids and times (revoked clients too)",
        security: [{ bearer: [] }],
        params: clientIdParams,
        response: { 200: clientSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const client = await tessera.clients.get(request.params.id);
      if (client === null) return sendProblem(reply, "not_found", { detail: "No such client" });
      const secrets = await tessera.clients.secrets(client.id);
      return {
        ...presentClient(client),
        secrets: secrets.map((secret) => ({ id: secret.id, created_at: isoTime(secret.createdAt), last_used_at: isoTime(secret.lastUsedAt) })),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { revoke_others?: boolean } | undefined }>(
    "/api/admin/clients/:id/secrets",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["admin"],
        summary: "Rotate: add a secret (shown this once). At most two stay live: the oldest beyond is revoked, with its tokens",
        description: "With `revoke_others: true` every other secret (and every token it minted) is revoked at once.",
        security: [{ bearer: [] }],
        params: clientIdParams,
        body: { type: ["object", "null"], properties: { revoke_others: { type: "boolean" } }, additionalProperties: false },
        response: {
          201: {
            type: "object",
            properties: { client_id: { type: "string" }, client_secret: { type: "string" }, secret_id: { type: "integer" }, revoked_secret_ids: { type: "array", items: { type: "integer" } } },
            required: ["client_id", "client_secret", "secret_id", "revoked_secret_ids"],
          },
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const rotated = await tessera.clients.rotateSecret(request.params.id, { revokeOthers: request.body?.revoke_others === true });
      if (rotated === null) return sendProblem(reply, "not_found", { detail: "No such client" });
      metrics.tokensIssued.inc({ kind: "client_secret" });
      if (rotated.revoked.length > 0) metrics.tokensRevoked.inc({ kind: "client_secret" }, rotated.revoked.length);
      void reply.header("cache-control", "no-store");
      return reply.code(201).send({
        client_id: request.params.id,
        client_secret: rotated.secret,
        secret_id: rotated.record.id,
        revoked_secret_ids: rotated.revoked.map((secret) => secret.id),
      });
    },
  );

  app.delete<{ Params: { id: string; secretId: string } }>(
    "/api/admin/clients/:id/secrets/:secretId",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["admin"],
        summary: "Revoke one secret of a client; the tokens it minted stop working on every instance",
        security: [{ bearer: [] }],
        params: { type: "object", properties: { id: { type: "string", maxLength: 64 }, secretId: { type: "string" } }, required: ["id", "secretId"] },
        response: { 204: { type: "null" }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const secretId = parseId(request.params.secretId);
      if (secretId === null || !(await tessera.clients.revokeSecret(request.params.id, secretId))) {
        return sendProblem(reply, "not_found", { detail: "No such live secret" });
      }
      metrics.tokensRevoked.inc({ kind: "client_secret" });
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/admin/clients/:id",
    {
      onRequest: adminOnly,
      schema: {
        tags: ["admin"],
        summary: "Revoke a machine client: its secrets and every token it holds stop working on every instance",
        security: [{ bearer: [] }],
        params: clientIdParams,
        response: { 204: { type: "null" }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      if ((await tessera.clients.revoke(request.params.id)) === null) return sendProblem(reply, "not_found", { detail: "No such client" });
      metrics.tokensRevoked.inc({ kind: "client" });
      return reply.code(204).send();
    },
  );
}

import formbody from "@fastify/formbody";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import type { Principal } from "../../auth/types.js";
import { BackendUnavailableError, type ErrorCode } from "../../core/errors.js";
import { formatBasicChallenge } from "../../http/index.js";
import { authOf, type RequireAuth } from "../route-guard.js";
import type { ServerContext } from "../context.js";
import { isoTime } from "../presenters.js";
import { attemptLogin, tokenResponseBody } from "../../http/auth-routes/attempt-login.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { clientIpKey, rateLimitHeaders } from "../../http/rate-limit.js";
import { problemResponses } from "../schemas.js";
import { limitPerIp } from "../ip-limit.js";
import { attemptClientGrant, readClientAuthentication } from "../client-credentials.js";

type OauthError = "invalid_request" | "invalid_grant" | "unsupported_grant_type" | "invalid_scope";

const oauthFields = {
  type: ["object", "null"],
  properties: {
    grant_type: { type: "string" },
    username: { type: "string" },
    password: { type: "string" },
    scope: { type: "string" },
    refresh_token: { type: "string" },
    token: { type: "string" },
    token_type_hint: { type: "string" },
    client_id: { type: "string" },
    client_secret: { type: "string" },
  },
} as const;

type OauthBody = Partial<Record<keyof (typeof oauthFields)["properties"], unknown>>;

/** A non-empty string parameter; one holding NUL (which no stored value can) counts as absent. */
function stringField(body: OauthBody | undefined, name: keyof OauthBody): string | undefined {
  const value = body?.[name];
  return typeof value === "string" && value.length > 0 && value.length <= 8192 && !value.includes("\0") ? value : undefined;
}

const BASIC_CHALLENGE = formatBasicChallenge({ realm: "tessera" });

/** RFC 6749 5.2 `invalid_client`: 401 with a Basic challenge, in the OAuth and the problem shape. */
function sendInvalidClient(reply: FastifyReply, description: string): FastifyReply {
  return sendProblem(reply, "invalid_client", {
    detail: description,
    headers: { "www-authenticate": BASIC_CHALLENGE, "cache-control": "no-store" },
    extra: { error: "invalid_client", error_description: description },
  });
}

/**
 * An RFC 6749 5.2 error that is also an RFC 9457 problem: `error`/`error_description` for OAuth
 * clients, `code`/`detail` for everyone else.
 */
function sendOauthError(reply: FastifyReply, error: OauthError, description: string, code: ErrorCode): FastifyReply {
  void reply.header("cache-control", "no-store").header("pragma", "no-cache");
  return sendProblem(reply, code, { detail: description, extra: { error, error_description: description } });
}

/** `POST /oauth/token`, `/oauth/revoke` (RFC 7009), `/oauth/introspect` (RFC 7662). */
export async function registerOauthRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  // RFC 6749 clients send forms; the form parser is scoped to these routes only.
  await app.register(async (oauth) => {
    await oauth.register(formbody);
    // RFC 6749 5.2: a body the endpoint cannot read (malformed, wrong field types) is an
    // `invalid_request`, in the OAuth shape as well as the problem shape; a media type that is
    // neither a form nor JSON is a 415 that carries the OAuth error too.
    oauth.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
        // Contract section 1: 415 for a body in a media type the route does not take.
        return sendOauthError(reply, "invalid_request", "Send the body as application/x-www-form-urlencoded or application/json", "unsupported_media_type");
      }
      const status = error.statusCode ?? 500;
      if (error.validation || (status >= 400 && status < 500 && status !== 413)) {
        return sendOauthError(reply, "invalid_request", "The request body could not be read as OAuth parameters", "invalid_request");
      }
      throw error;
    });
    registerOauthHandlers(oauth, context, requireAuth);
  });
}

function registerOauthHandlers(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): void {
  const { tessera, metrics } = context;

  app.post<{ Body: OauthBody | undefined }>(
    "/oauth/token",
    {
      schema: {
        tags: ["oauth"],
        summary: "RFC 6749 token endpoint: grant_type=password, refresh_token or client_credentials (form or JSON)",
        body: oauthFields,
        response: {
          200: {
            description: "A token pair (password, refresh_token), or an access token without refresh token (client_credentials)",
            type: "object",
            properties: {
              access_token: { type: "string" },
              token_type: { type: "string" },
              expires_in: { type: "integer" },
              refresh_token: { type: "string" },
              scope: { type: "string" },
            },
            required: ["access_token", "token_type", "expires_in", "scope"],
          },
          ...problemResponses(400, 401, 429),
        },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store").header("pragma", "no-cache");
      const body = request.body;
      const grantType = stringField(body, "grant_type");
      const clientAuth = readClientAuthentication(request, body as Record<string, unknown> | null | undefined);
      if (grantType === "client_credentials") {
        if (clientAuth.kind === "none") return sendInvalidClient(reply, "Authenticate the client with HTTP Basic or client_id and client_secret");
        if (clientAuth.kind === "malformed") return sendInvalidClient(reply, clientAuth.detail);
        const outcome = await attemptClientGrant(context, {
          clientId: clientAuth.clientId,
          clientSecret: clientAuth.clientSecret,
          scope: stringField(body, "scope"),
          ip: request.ip,
        });
        if (outcome.rateLimit) void reply.headers(rateLimitHeaders(outcome.rateLimit));
        if (outcome.ok) {
          metrics.tokensIssued.inc({ kind: "client_token" });
          // RFC 6749 4.4.3: no refresh token; the client asks again with its credentials.
          return { access_token: outcome.accessToken, token_type: "Bearer", expires_in: outcome.expiresInSeconds, scope: outcome.scope };
        }
        metrics.authOutcomes.inc({ outcome: outcome.code });
        if (outcome.code === "rate_limited") {
          metrics.refused(outcome.limit, outcome.limit === "login-ip" ? clientIpKey(request.ip) : clientAuth.clientId.slice(0, 64));
          return sendProblem(reply, "rate_limited", {
            detail: outcome.detail,
            headers: { "retry-after": String(outcome.retryAfterSeconds) },
            extra: { error: "invalid_request", error_description: outcome.detail },
          });
        }
        if (outcome.code === "validation_failed") return sendOauthError(reply, "invalid_scope", outcome.detail, "validation_failed");
        return sendInvalidClient(reply, outcome.detail);
      }
      if (clientAuth.kind !== "none") {
        // Password and refresh grants are for public clients: client authentication there fails (RFC 6749 5.2).
        return sendInvalidClient(reply, "Client authentication is only accepted with grant_type=client_credentials");
      }
      if (grantType === undefined) return sendOauthError(reply, "invalid_request", "grant_type is required", "invalid_request");

      if (grantType === "password") {
        const username = stringField(body, "username");
        const password = stringField(body, "password");
        if (username === undefined || password === undefined) {
          return sendOauthError(reply, "invalid_request", "username and password are required", "invalid_request");
        }
        const outcome = await attemptLogin(tessera, context.limits.login, {
          username,
          password,
          scope: stringField(body, "scope"),
          ip: request.ip,
          userAgent: request.headers["user-agent"] ?? null,
        });
        if (outcome.rateLimit) void reply.headers(rateLimitHeaders(outcome.rateLimit));
        metrics.recordLogin(outcome, { ip: request.ip, username });
        if (outcome.ok) {
          await context.users.touchUser(outcome.user.id, tessera.clock.now());
          return tokenResponseBody(outcome.pair);
        }
        if (outcome.code === "rate_limited") {
          return sendProblem(reply, "rate_limited", {
            detail: outcome.detail,
            headers: { "retry-after": String(outcome.retryAfterSeconds) },
            extra: { error: "invalid_request", error_description: outcome.detail },
          });
        }
        if (outcome.code === "validation_failed") return sendOauthError(reply, "invalid_scope", outcome.detail, "validation_failed");
        return sendOauthError(reply, "invalid_grant", "The username or password is incorrect", "invalid_grant");
      }

      if (grantType === "refresh_token") {
        const refreshToken = stringField(body, "refresh_token");
        if (refreshToken === undefined) return sendOauthError(reply, "invalid_request", "refresh_token is required", "invalid_request");
        const result = await tessera.refresh(refreshToken, { scope: stringField(body, "scope") });
        if (!result.ok) {
          metrics.authOutcomes.inc({ outcome: result.code });
          if (result.code === "validation_failed") {
            return sendOauthError(reply, "invalid_scope", result.detail ?? "The requested scope exceeds the granted scope", "validation_failed");
          }
          return sendOauthError(reply, "invalid_grant", "The refresh token is invalid, expired or revoked", "invalid_grant");
        }
        metrics.tokensIssued.inc({ kind: "access_token" });
        return tokenResponseBody(result.pair);
      }

      return sendOauthError(reply, "unsupported_grant_type", `grant_type ${JSON.stringify(grantType).slice(0, 40)} is not supported`, "unsupported_grant_type");
    },
  );

  app.post<{ Body: OauthBody | undefined }>(
    "/oauth/revoke",
    {
      onRequest: limitPerIp(context.limits.tokenEndpointIp, "token-endpoint-ip", context.metrics, "Too many token requests from this address"),
      schema: {
        tags: ["oauth"],
        summary: "RFC 7009 revocation: answers 200 for any token, known or not",
        body: oauthFields,
        response: { 200: { type: "object", additionalProperties: false }, ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      const token = stringField(request.body, "token");
      if (token === undefined) return sendOauthError(reply, "invalid_request", "token is required", "invalid_request");
      await tessera.revoke(token);
      metrics.tokensRevoked.inc({ kind: "oauth_revoke" });
      return reply.code(200).send({});
    },
  );

  app.post<{ Body: OauthBody | undefined }>(
    "/oauth/introspect",
    {
      onRequest: [
        limitPerIp(context.limits.tokenEndpointIp, "token-endpoint-ip", context.metrics, "Too many token requests from this address"),
        ...requireAuth({ scopes: ["tokens:introspect"], allowUnownedClient: true }),
      ],
      schema: {
        tags: ["oauth"],
        summary: "RFC 7662 introspection (needs scope tokens:introspect)",
        security: [{ bearer: [] }],
        body: oauthFields,
        response: {
          200: {
            type: "object",
            properties: {
              active: { type: "boolean" },
              sub: { type: "string" },
              scope: { type: "string" },
              exp: { type: "integer" },
              iat: { type: "integer" },
              jti: { type: "string" },
              sid: { type: "integer" },
              token_type: { type: "string" },
              token_kind: { type: "string", enum: ["access_token", "personal_access_token", "refresh_token", "client"] },
              client_id: { type: "string" },
              username: { type: "string" },
              iss: { type: "string" },
              aud: { type: "string" },
              expires_at: { type: ["string", "null"] },
            },
            required: ["active"],
          },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      authOf(request);
      const token = stringField(request.body, "token");
      if (token === undefined) return sendOauthError(reply, "invalid_request", "token is required", "invalid_request");
      void reply.header("cache-control", "no-store");
      const found = await tessera.introspect(token);
      if (!found) return { active: false };
      const auth = found.principal;
      if (auth.tokenType === "client_token") return introspectClientToken(context, auth);
      // An access token is decided from memory (signature, claims, revocation set); its user is
      // read from the store, or while the database is down as this instance last read it, and
      // without `username` when it never did: the token's answer does not wait for the database.
      const user = await context.profiles.loadUser(Number(auth.userId));
      if (user === null) return { active: false };
      if (user === undefined && found.tokenType !== "access_token") throw new BackendUnavailableError("database");
      return {
        active: true,
        sub: auth.userId,
        scope: auth.scopes.join(" "),
        ...(auth.expiresAt === null ? {} : { exp: Math.floor(auth.expiresAt / 1000) }),
        iat: Math.floor(auth.issuedAt / 1000),
        ...(auth.jti === null ? {} : { jti: auth.jti }),
        ...(auth.sessionId === null ? {} : { sid: auth.sessionId }),
        // RFC 7662 2.2: the RFC 6749 token type. Access tokens and PATs are both presented as
        // Bearer; `token_kind` says which of Tessera's three tokens this is.
        token_type: found.tokenType === "refresh_token" ? "refresh_token" : "Bearer",
        token_kind: found.tokenType,
        ...(user === undefined ? {} : { username: user.username }),
        iss: context.config.issuer,
        aud: context.config.audience,
        expires_at: isoTime(auth.expiresAt),
      };
    },
  );
}

/** RFC 7662 for a machine client's access token: active while the client (and its owner, if any) exists. */
async function introspectClientToken(context: ServerContext, auth: Principal): Promise<Record<string, unknown>> {
  const clientId = auth.clientId ?? "";
  const client = await context.tessera.clients.get(clientId);
  if (client === null || client.revokedAt !== null) return { active: false };
  const owner = client.ownerId === null ? null : await context.users.getUserById(Number(client.ownerId));
  if (client.ownerId !== null && owner === null) return { active: false };
  return {
    active: true,
    sub: clientId,
    client_id: clientId,
    scope: auth.scopes.join(" "),
    ...(auth.expiresAt === null ? {} : { exp: Math.floor(auth.expiresAt / 1000) }),
    iat: Math.floor(auth.issuedAt / 1000),
    ...(auth.jti === null ? {} : { jti: auth.jti }),
    token_type: "Bearer",
    token_kind: "client",
    ...(owner === null ? {} : { username: owner.username }),
    iss: context.config.issuer,
    aud: context.config.audience,
    expires_at: isoTime(auth.expiresAt),
  };
}

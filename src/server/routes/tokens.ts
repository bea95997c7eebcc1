import type { FastifyInstance } from "fastify";
import { readBasicCredentials } from "../../core/credentials/index.js";
import { formatBasicChallenge } from "../../http/index.js";
import { authOf, invalidTokenChallenge, type RequireAuth } from "../route-guard.js";
import type { ServerContext } from "../context.js";
import { attemptLogin, tokenResponseBody } from "../../http/auth-routes/attempt-login.js";
import { refreshFailureDetail } from "../../http/auth-routes/endpoints.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { rateLimitHeaders } from "../../http/rate-limit.js";
import { problemResponses } from "../schemas.js";
import { limitPerIp } from "../ip-limit.js";

const BASIC_CHALLENGE = formatBasicChallenge({ realm: "tessera" });

interface LoginBody {
  username?: string;
  password?: string;
  scope?: string;
}

/** `POST /api/tokens`, `POST /api/tokens/refresh`, `DELETE /api/tokens`. */
export async function registerTokenRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  const { tessera, metrics } = context;

  app.post<{ Body: LoginBody | undefined }>(
    "/api/tokens",
    {
      schema: {
        tags: ["tokens"],
        summary: "Log in with HTTP Basic (or JSON username/password) and get an access/refresh token pair",
        security: [{ basic: [] }],
        body: {
          type: ["object", "null"],
          properties: {
            username: { type: "string", minLength: 1, maxLength: 1024 },
            password: { type: "string", minLength: 1, maxLength: 4096 },
            scope: { type: "string", maxLength: 1024 },
          },
        },
        response: { 200: { $ref: "TokenPair#" }, ...problemResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store").header("pragma", "no-cache");
      const header = request.headers.authorization;
      const body = request.body ?? {};
      let username: string | undefined;
      let password: string | undefined;
      if (header !== undefined) {
        const basic = readBasicCredentials(header);
        if (basic === null) {
          return sendProblem(reply, "credentials_invalid", {
            detail: "Use HTTP Basic with username:password",
            headers: { "www-authenticate": BASIC_CHALLENGE },
          });
        }
        if (!basic.ok) {
          // Bad credentials (docs/http-api.md, Errors: 401, never a hint about the account); RFC 6750's
          // 400 invalid_request is for bearer requests, and RFC 7617 has no 400.
          return sendProblem(reply, "credentials_invalid", {
            detail: "The Basic credentials are malformed",
            headers: { "www-authenticate": BASIC_CHALLENGE },
          });
        }
        username = basic.username;
        password = basic.password;
      } else if (body.username !== undefined && body.password !== undefined) {
        username = body.username;
        password = body.password;
      }
      if (username === undefined || password === undefined) {
        return sendProblem(reply, "token_missing", {
          detail: "Log in with HTTP Basic username:password or a JSON body with username and password",
          headers: { "www-authenticate": BASIC_CHALLENGE },
        });
      }
      const outcome = await attemptLogin(tessera, context.limits.login, {
        username,
        password,
        scope: body.scope,
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
        return sendProblem(reply, "rate_limited", { detail: outcome.detail, headers: { "retry-after": String(outcome.retryAfterSeconds) } });
      }
      if (outcome.code === "validation_failed") {
        return sendProblem(reply, "validation_failed", { detail: outcome.detail, extra: { errors: [{ field: "scope", message: outcome.detail }] } });
      }
      return sendProblem(reply, "credentials_invalid", { detail: outcome.detail, headers: { "www-authenticate": BASIC_CHALLENGE } });
    },
  );

  app.post<{ Body: { refresh_token: string } }>(
    "/api/tokens/refresh",
    {
      onRequest: limitPerIp(context.limits.tokenEndpointIp, "token-endpoint-ip", context.metrics, "Too many token requests from this address"),
      schema: {
        tags: ["tokens"],
        summary: "Exchange a refresh token for a new pair; the old refresh token is spent",
        body: {
          type: "object",
          properties: { refresh_token: { type: "string", minLength: 1, maxLength: 1024 } },
          required: ["refresh_token"],
        },
        response: { 200: { $ref: "TokenPair#" }, ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store").header("pragma", "no-cache");
      const result = await tessera.refresh(request.body.refresh_token);
      if (result.ok) {
        metrics.tokensIssued.inc({ kind: "access_token" });
        return tokenResponseBody(result.pair);
      }
      metrics.authOutcomes.inc({ outcome: result.code });
      const detail = result.detail ?? refreshFailureDetail(result.code);
      return sendProblem(reply, result.code, { detail, headers: { "www-authenticate": invalidTokenChallenge(detail) } });
    },
  );

  app.delete(
    "/api/tokens",
    {
      onRequest: requireAuth(),
      schema: {
        tags: ["tokens"],
        summary: "Revoke the presented token (and its session, for an access token)",
        security: [{ bearer: [] }],
        response: { 204: { type: "null" }, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await tessera.logout({ ...auth, userId: String(auth.userId) });
      if (auth.tokenType === "personal_access_token") metrics.tokensRevoked.inc({ kind: "personal_access_token" });
      else {
        metrics.tokensRevoked.inc({ kind: "access_token" });
        if (auth.sessionId !== null) metrics.tokensRevoked.inc({ kind: "session" });
      }
      return reply.code(204).send();
    },
  );
}

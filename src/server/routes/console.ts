import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TokenPair } from "../../auth/types.js";
import { attemptLogin } from "../../http/auth-routes/attempt-login.js";
import { refreshFailureDetail } from "../../http/auth-routes/endpoints.js";
import { formatBearerChallenge } from "../../http/challenge.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { rateLimitHeaders } from "../../http/rate-limit.js";
import { loadConsoleAssets, type ConsoleAsset, type ConsoleAssets } from "../console-assets.js";
import { consoleCookie, consoleCsrfRefusal, needsSecureCookie, readConsoleCookie } from "../console-cookie.js";
import type { ServerContext } from "../context.js";
import { limitPerIp } from "../ip-limit.js";
import { authOf, type RequireAuth } from "../route-guard.js";
import { problemResponses } from "../schemas.js";

/**
 * The console's Content-Security-Policy: its own scripts and styles only (no inline script or
 * style, no eval), API calls to this origin only, never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const consoleSessionSchema = {
  type: "object",
  properties: {
    access_token: { type: "string", description: "Held in the page's memory only" },
    token_type: { type: "string", enum: ["Bearer"] },
    expires_in: { type: "integer" },
    scope: { type: "string" },
    user: {
      type: "object",
      properties: { id: { type: "integer" }, username: { type: "string" }, is_admin: { type: "boolean" } },
      required: ["id", "username", "is_admin"],
    },
  },
  required: ["access_token", "token_type", "expires_in", "scope", "user"],
} as const;

const CSRF_DESCRIPTION =
  "Needs the header `X-Tessera-Console: 1`; an `Origin` or `Sec-Fetch-Site` header, when sent, must name this server, else 403 `forbidden`.";

/** Browsers ignore an unknown scheme, so a failed console login opens no Basic dialog. */
const CONSOLE_CHALLENGE = formatBearerChallenge({ realm: "tessera" });

/**
 * The web console (docs/console.md): its page and files under `/console`, and the cookie-based
 * session endpoints under `/api/console/session` that only it uses. The refresh token lives in an
 * HttpOnly, SameSite=Strict cookie scoped to those endpoints; the access token is returned in the
 * body and kept in the page's memory, and every other call the console makes is an ordinary
 * bearer call to the API. Also `DELETE /api/me/sessions/others` ("log out everywhere else").
 *
 * @example
 * await registerConsoleRoutes(app, context, requireAuth);
 */
export async function registerConsoleRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  const { tessera, metrics, config } = context;
  const assets = loadConsoleAssets();
  registerConsolePages(app, assets);

  function setCookie(request: FastifyRequest, reply: FastifyReply, value: string | null): void {
    void reply.header("set-cookie", consoleCookie(value, { secure: needsSecureCookie(request), maxAgeSeconds: config.refreshTokenTtlSeconds }));
  }

  async function refuseCrossSite(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const refusal = consoleCsrfRefusal(request);
    if (refusal !== null) await sendProblem(reply, "forbidden", { detail: refusal });
  }

  /** The body of a console session answer: the access token and who it speaks for. */
  async function sessionBody(pair: TokenPair) {
    const verified = await tessera.verify(pair.accessToken, { touch: false });
    const user = verified.ok ? await context.users.getUserById(Number(verified.principal.userId)) : null;
    if (!user) return null;
    return {
      access_token: pair.accessToken,
      token_type: pair.tokenType,
      expires_in: pair.expiresInSeconds,
      scope: pair.scope,
      user: { id: user.id, username: user.username, is_admin: user.isAdmin },
    };
  }

  app.get(
    "/api/console/session",
    {
      schema: {
        tags: ["console"],
        summary: "Whether this browser holds a console session cookie (so the page knows whether to refresh)",
        description: "Reads the cookie's presence only: it neither checks nor rotates the token, and changes nothing.",
        response: { 200: { type: "object", properties: { signed_in: { type: "boolean" } }, required: ["signed_in"] } },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store");
      return { signed_in: readConsoleCookie(request.headers.cookie) !== null };
    },
  );

  app.post<{ Body: { username: string; password: string } }>(
    "/api/console/session",
    {
      onRequest: refuseCrossSite,
      schema: {
        tags: ["console"],
        summary: "Console login: the access token in the body, the refresh token in an HttpOnly cookie",
        description:
          "Same checks and limits as `POST /api/tokens`. Sets `tessera_console_refresh` (HttpOnly, SameSite=Strict, " +
          "Path=/api/console/session, Secure except over http to 127.0.0.1/localhost). " +
          CSRF_DESCRIPTION,
        body: {
          type: "object",
          properties: {
            username: { type: "string", minLength: 1, maxLength: 1024 },
            password: { type: "string", minLength: 1, maxLength: 4096 },
          },
          required: ["username", "password"],
          additionalProperties: false,
        },
        response: { 200: consoleSessionSchema, ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store").header("pragma", "no-cache");
      const outcome = await attemptLogin(tessera, context.limits.login, {
        username: request.body.username,
        password: request.body.password,
        ip: request.ip,
        userAgent: request.headers["user-agent"] ?? null,
      });
      if (outcome.rateLimit) void reply.headers(rateLimitHeaders(outcome.rateLimit));
      metrics.recordLogin(outcome);
      if (!outcome.ok) {
        if (outcome.code === "rate_limited") {
          return sendProblem(reply, "rate_limited", { detail: outcome.detail, headers: { "retry-after": String(outcome.retryAfterSeconds) } });
        }
        if (outcome.code === "validation_failed") return sendProblem(reply, "validation_failed", { detail: outcome.detail });
        return sendProblem(reply, "credentials_invalid", { detail: outcome.detail, headers: { "www-authenticate": CONSOLE_CHALLENGE } });
      }
      await context.users.touchUser(outcome.user.id, tessera.clock.now());
      const body = await sessionBody(outcome.pair);
      if (body === null) return sendProblem(reply, "credentials_invalid", { detail: "The user no longer exists", headers: { "www-authenticate": CONSOLE_CHALLENGE } });
      setCookie(request, reply, outcome.pair.refreshToken);
      return body;
    },
  );

  app.post(
    "/api/console/session/refresh",
    {
      onRequest: [
        refuseCrossSite,
        limitPerIp(context.limits.tokenEndpointIp, "token-endpoint-ip", metrics, "Too many token requests from this address"),
      ],
      schema: {
        tags: ["console"],
        summary: "Console refresh: rotates the cookie's refresh token and returns a new access token",
        description:
          "No body. Without the cookie: 401 `token_missing`; a spent, expired or revoked refresh token: 401 with its code, " +
          "and the cookie is cleared. " +
          CSRF_DESCRIPTION,
        response: { 200: consoleSessionSchema, ...problemResponses(401, 403, 429) },
      },
    },
    async (request, reply) => {
      void reply.header("cache-control", "no-store").header("pragma", "no-cache");
      const refreshToken = readConsoleCookie(request.headers.cookie);
      if (refreshToken === null) {
        const detail = "No console session: log in";
        return sendProblem(reply, "token_missing", { detail, headers: { "www-authenticate": CONSOLE_CHALLENGE } });
      }
      const result = await tessera.refresh(refreshToken);
      const body = result.ok ? await sessionBody(result.pair) : null;
      if (!result.ok || body === null) {
        const code = result.ok ? "token_revoked" : result.code;
        metrics.authOutcomes.inc({ outcome: code });
        const detail = result.ok ? "The user of this session no longer exists" : (result.detail ?? refreshFailureDetail(result.code));
        setCookie(request, reply, null);
        const challenge = formatBearerChallenge({ realm: "tessera", error: "invalid_token", errorDescription: detail });
        return sendProblem(reply, code, { detail, headers: { "www-authenticate": challenge } });
      }
      metrics.tokensIssued.inc({ kind: "access_token" });
      setCookie(request, reply, result.pair.refreshToken);
      return body;
    },
  );

  app.delete(
    "/api/console/session",
    {
      onRequest: refuseCrossSite,
      schema: {
        tags: ["console"],
        summary: "Console logout: ends the cookie's session and clears the cookie",
        description: "204 with or without a cookie (logging out twice is not an error). " + CSRF_DESCRIPTION,
        response: { 204: { type: "null" }, ...problemResponses(403) },
      },
    },
    async (request, reply) => {
      const refreshToken = readConsoleCookie(request.headers.cookie);
      if (refreshToken !== null) {
        await tessera.revoke(refreshToken);
        metrics.tokensRevoked.inc({ kind: "session" });
      }
      setCookie(request, reply, null);
      return reply.code(204).send();
    },
  );

  app.delete(
    "/api/me/sessions/others",
    {
      onRequest: requireAuth({ scopes: ["users:write"], allowPersonalAccessToken: false }),
      schema: {
        tags: ["me"],
        summary: "Log out everywhere else: end every session of the caller but the one of the presented access token",
        description: "Personal access tokens are not sessions and keep working. A personal access token cannot call this (403 `forbidden`).",
        security: [{ bearer: [] }],
        response: { 204: { type: "null" }, ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const keep = auth.sessionId === null ? {} : { exceptSessionId: auth.sessionId };
      const revoked = await tessera.sessions.revokeAll(auth.userId, keep);
      metrics.tokensRevoked.inc({ kind: "session" }, revoked);
      return reply.code(204).send();
    },
  );
}

/** Headers of every console response: the CSP and its companions. */
function sendAsset(reply: FastifyReply, asset: ConsoleAsset, cacheControl: string): FastifyReply {
  return reply
    .header("content-security-policy", CONSOLE_CSP)
    .header("x-frame-options", "DENY")
    .header("referrer-policy", "no-referrer")
    .header("cross-origin-opener-policy", "same-origin")
    .header("cross-origin-resource-policy", "same-origin")
    .header("cache-control", cacheControl)
    .type(asset.contentType)
    .send(asset.body);
}

/** `GET /console` (the page; its views are `#/...` fragments) and `GET /console/assets/{name}`. */
function registerConsolePages(app: FastifyInstance, assets: ConsoleAssets | null): void {
  const notBuilt = (reply: FastifyReply) =>
    sendProblem(reply, "not_found", { detail: "The console is not built: run npm run build (npm install does it)" });

  app.get(
    "/console",
    {
      schema: {
        tags: ["console"],
        summary: "The web console (HTML); see docs/console.md",
        description: `Served with \`Content-Security-Policy: ${CONSOLE_CSP}\`.`,
      },
    },
    async (_request, reply) => (assets === null ? notBuilt(reply) : sendAsset(reply, assets.index, "no-cache")),
  );
  app.get("/console/", { schema: { hide: true } }, async (_request, reply) => reply.redirect("/console", 301));

  app.get<{ Params: { name: string } }>("/console/assets/:name", { schema: { hide: true } }, async (request, reply) => {
    const asset = assets?.files.get(request.params.name);
    if (asset === undefined) return assets === null ? notBuilt(reply) : sendProblem(reply, "not_found", { detail: "No such console file" });
    // Fixed names rebuilt in place: revalidate each time (they are small and served from memory).
    return sendAsset(reply, asset, "no-cache");
  });
}

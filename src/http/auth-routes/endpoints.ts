import type { Tessera } from "../../auth/create-tessera.js";
import type { Principal } from "../../auth/types.js";
import type { LoginUser } from "../../auth/user-directory.js";
import type { StoredTokenRecord } from "../../core/token-store.js";
import { readBasicCredentials } from "../../core/credentials/basic.js";
import { narrowScope } from "../../core/scopes.js";
import { formatBasicChallenge, formatBearerChallenge } from "../challenge.js";
import { createGuard, DEFAULT_REALM, type Guard } from "../guard.js";
import { rateLimitHeaders } from "../rate-limit.js";
import { attemptLogin, tokenResponseBody } from "./attempt-login.js";
import { jsonResponse, NO_STORE, problemResponse, stringMember, validationProblem, type AuthEndpoint, type EndpointRequest, type EndpointResponse } from "./endpoint.js";
import { createLoginLimits, type LoginLimitRules } from "./login-limits.js";

/** Which routes {@link createAuthEndpoints} mounts, and where. Paths are relative to `prefix`; `false` leaves one out. */
export interface AuthRoutePaths {
  /** `POST`: HTTP Basic or JSON `{username, password, scope?}` -> token pair. Default `/tokens`. */
  login?: string | false;
  /** `POST`: `{refresh_token, scope?}` -> new pair. Default `/tokens/refresh`. */
  refresh?: string | false;
  /** `DELETE`: revokes the presented token (its session, for an access token). Default `/tokens`. */
  logout?: string | false;
  /** `GET`/`POST` list and create personal access tokens, `DELETE .../:id` revokes one. Default `/me/tokens`. */
  personalAccessTokens?: string | false;
}

/** Options of {@link createAuthEndpoints} (and of every adapter's `authRoutes`). */
export interface AuthRoutesOptions {
  /** Prepended to every path. Default `/api`. */
  prefix?: string;
  paths?: AuthRoutePaths;
  /** Login throttling: per account and per IP, in memory unless a limiter factory is given. */
  loginLimits?: LoginLimitRules;
  /** Realm of every challenge. Default `tessera`. */
  realm?: string;
  /** Scopes the personal-access-token routes require: `read` to list, `write` to create and revoke. Default none. */
  tokenScopes?: { read?: readonly string[]; write?: readonly string[] };
  /** Lifetime of a personal access token created without `expires_in`, in seconds. Default 90 days; null: no expiry. */
  defaultTokenTtlSeconds?: number | null;
}

const DEFAULT_PAT_TTL_SECONDS = 90 * 86_400;

/**
 * The auth endpoints an API needs, framework-free: each adapter's `authRoutes()` mounts these.
 * Bodies, statuses, challenges and `Cache-Control: no-store` follow docs/http-api.md.
 *
 * @example
 * for (const endpoint of createAuthEndpoints(tessera, { prefix: "/api" })) router[endpoint.method](endpoint.path, ...);
 */
export function createAuthEndpoints<U extends LoginUser>(tessera: Tessera<U>, options: AuthRoutesOptions = {}): AuthEndpoint[] {
  const prefix = (options.prefix ?? "/api").replace(/\/$/, "");
  const paths = options.paths ?? {};
  const realm = options.realm ?? DEFAULT_REALM;
  const basicChallenge = formatBasicChallenge({ realm });
  const limits = createLoginLimits(options.loginLimits);
  const bearer = tessera.bearer({ realm });
  const guardFor = (scopes: readonly string[] | undefined): Guard<Principal> => createGuard<Principal>({ schemes: [bearer], realm, scopes: scopes ?? [] });
  const logoutGuard = guardFor(undefined);
  const readGuard = guardFor(options.tokenScopes?.read);
  const writeGuard = guardFor(options.tokenScopes?.write);
  const defaultTtl = options.defaultTokenTtlSeconds === undefined ? DEFAULT_PAT_TTL_SECONDS : options.defaultTokenTtlSeconds;
  const endpoints: AuthEndpoint[] = [];
  const at = (path: string | false | undefined, fallback: string): string | null => (path === false ? null : prefix + (path ?? fallback));

  async function withPrincipal(guard: Guard<Principal>, request: EndpointRequest, then: (principal: Principal) => Promise<EndpointResponse>): Promise<EndpointResponse> {
    const result = await guard.authenticate(request.view);
    if (result.ok) return then(result.auth);
    const rendered = guard.renderFailure(result);
    return { status: rendered.status, headers: rendered.headers, body: JSON.parse(rendered.body) as unknown };
  }

  const loginPath = at(paths.login, "/tokens");
  if (loginPath !== null) {
    endpoints.push({
      method: "POST",
      path: loginPath,
      async handle(request) {
        const header = request.view.header("authorization");
        let username: string | null | undefined;
        let password: string | null | undefined;
        if (header !== undefined) {
          const basic = readBasicCredentials(header);
          if (basic === null || !basic.ok) {
            const detail = basic === null ? "Use HTTP Basic with username:password" : "The Basic credentials are malformed";
            return problemResponse("credentials_invalid", { detail, headers: { ...NO_STORE, "WWW-Authenticate": basicChallenge } });
          }
          username = basic.username;
          password = basic.password;
        } else {
          username = stringMember(request.body, "username");
          password = stringMember(request.body, "password");
        }
        if (typeof username !== "string" || typeof password !== "string") {
          return problemResponse("token_missing", {
            detail: "Log in with HTTP Basic username:password or a JSON body with username and password",
            headers: { ...NO_STORE, "WWW-Authenticate": basicChallenge },
          });
        }
        const scope = stringMember(request.body, "scope");
        if (scope === null) return validationProblem("scope", "must be a string");
        const outcome = await attemptLogin(tessera, limits, {
          username,
          password,
          scope,
          ip: request.ip,
          userAgent: request.view.header("user-agent") ?? null,
        });
        const headers = { ...NO_STORE, ...(outcome.rateLimit ? rateLimitHeaders(outcome.rateLimit) : {}) };
        if (outcome.ok) return jsonResponse(200, tokenResponseBody(outcome.pair), headers);
        if (outcome.code === "rate_limited") {
          return problemResponse("rate_limited", { detail: outcome.detail, headers: { ...headers, "Retry-After": String(outcome.retryAfterSeconds) } });
        }
        if (outcome.code === "validation_failed") return { ...validationProblem("scope", outcome.detail), headers: { ...headers, "Content-Type": "application/problem+json; charset=utf-8" } };
        return problemResponse("credentials_invalid", { detail: outcome.detail, headers: { ...headers, "WWW-Authenticate": basicChallenge } });
      },
    });
  }

  const refreshPath = at(paths.refresh, "/tokens/refresh");
  if (refreshPath !== null) {
    endpoints.push({
      method: "POST",
      path: refreshPath,
      async handle(request) {
        const refreshToken = stringMember(request.body, "refresh_token");
        if (typeof refreshToken !== "string" || refreshToken === "") return validationProblem("refresh_token", "is required");
        const scope = stringMember(request.body, "scope");
        if (scope === null) return validationProblem("scope", "must be a string");
        const result = await tessera.refresh(refreshToken, { scope });
        if (result.ok) return jsonResponse(200, tokenResponseBody(result.pair), { ...NO_STORE });
        if (result.code === "validation_failed") return validationProblem("scope", result.detail ?? "exceeds the granted scope");
        const detail = result.detail ?? refreshFailureDetail(result.code);
        return problemResponse(result.code, {
          detail,
          headers: { ...NO_STORE, "WWW-Authenticate": formatBearerChallenge({ realm, error: "invalid_token", errorDescription: detail }) },
        });
      },
    });
  }

  const logoutPath = at(paths.logout, "/tokens");
  if (logoutPath !== null) {
    endpoints.push({
      method: "DELETE",
      path: logoutPath,
      handle: (request) =>
        withPrincipal(logoutGuard, request, async (principal) => {
          await tessera.logout(principal);
          return { status: 204, headers: {} };
        }),
    });
  }

  const tokensPath = at(paths.personalAccessTokens, "/me/tokens");
  if (tokensPath !== null) {
    endpoints.push(
      {
        method: "GET",
        path: tokensPath,
        handle: (request) =>
          withPrincipal(readGuard, request, async (principal) => jsonResponse(200, (await tessera.personalAccessTokens.list(principal.userId)).map(presentToken))),
      },
      {
        method: "POST",
        path: tokensPath,
        handle: (request) =>
          withPrincipal(writeGuard, request, async (principal) => {
            if (principal.tokenType !== "access_token") {
              return problemResponse("forbidden", { detail: "Only a login's access token can create personal access tokens" });
            }
            const name = stringMember(request.body, "name");
            if (typeof name !== "string" || name.trim() === "" || name.length > 100) return validationProblem("name", "must be 1 to 100 characters");
            const requested = stringMember(request.body, "scope");
            if (requested === null) return validationProblem("scope", "must be a string");
            const scope = requested === undefined ? principal.scopes.join(" ") : narrowTo(requested, principal.scopes);
            if (scope === null) return validationProblem("scope", "must be within the scope of the presented token");
            const expiresIn = readExpiresIn(request.body, defaultTtl, tessera.maxTokenTtlSeconds);
            if (!expiresIn.ok) return validationProblem("expires_in", expiresIn.message);
            const password = stringMember(request.body, "password");
            if (password === null) return validationProblem("password", "must be a string");
            const confirmed = await tessera.confirmIdentity(principal, { password });
            if (!confirmed.ok) {
              // Asked again for the password: without it the login must be under 5 minutes old.
              // A field error, not a 401: a 401 would tell the client its (valid) token is bad.
              return validationProblem("password", password === undefined ? "is required unless you logged in less than 5 minutes ago" : "is incorrect");
            }
            const issued = await tessera.personalAccessTokens.create(principal.userId, { name, scope, expiresInSeconds: expiresIn.value });
            return jsonResponse(201, { ...presentToken(issued.record), token: issued.token }, { ...NO_STORE });
          }),
      },
      {
        method: "DELETE",
        path: `${tokensPath}/:id`,
        handle: (request) =>
          withPrincipal(writeGuard, request, async (principal) => {
            const raw = request.params["id"] ?? "";
            const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : null;
            const revoked = id === null ? null : await tessera.personalAccessTokens.revoke(principal.userId, id);
            return revoked === null ? problemResponse("not_found", { detail: "No such token" }) : { status: 204, headers: {} };
          }),
      },
    );
  }
  return endpoints;
}

function narrowTo(requested: string, granted: readonly string[]): string | null {
  // An empty scope asks for a token that grants nothing (core's narrowScope would grant all).
  if (requested.trim() === "") return "";
  const narrowed = narrowScope(requested, granted);
  return narrowed.ok ? narrowed.scope : null;
}

function readExpiresIn(body: unknown, fallback: number | null, max: number): { ok: true; value: number | null } | { ok: false; message: string } {
  const value = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["expires_in"] : undefined;
  if (value === undefined) return { ok: true, value: fallback === null ? null : Math.min(fallback, max) };
  if (value === null) return { ok: true, value: null };
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) return { ok: false, message: `must be an integer from 1 to ${max}, or null` };
  return { ok: true, value };
}

function presentToken(record: StoredTokenRecord) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: record.id,
    name: record.name,
    scope: record.scope,
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    last_used_at: iso(record.lastUsedAt),
  };
}

/** The detail of a refused refresh token: what the client should do next. */
export function refreshFailureDetail(code: string): string {
  switch (code) {
    case "token_expired":
      return "The refresh token expired; log in again";
    case "token_revoked":
      return "The refresh token was revoked; log in again";
    case "token_malformed":
      return "The refresh token is malformed";
    default:
      return "The refresh token is invalid";
  }
}

import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { TesseraAuth } from "../core/auth/types.js";
import { bearerScheme, createGuard, createNodeRequestView, PROBLEM_CONTENT_TYPE, formatBearerChallenge } from "../http/index.js";
import type { ServerContext } from "./context.js";
import { sendProblem } from "./problem-reply.js";
import { rateLimitHeaders } from "./rate-limits.js";

export interface RequireAuthOptions {
  /** Scopes the route needs; missing ones answer 403 insufficient_scope. */
  scopes?: string[];
  /** False for routes a personal access token may not use (minting PATs). */
  allowPersonalAccessToken?: boolean;
}

/** The authenticated caller of a guarded route. */
export function authOf(request: FastifyRequest): TesseraAuth {
  const auth = request.auth as TesseraAuth | null;
  if (!auth) throw new Error("route is not guarded");
  return auth;
}

/**
 * Builds the preHandler factory of the reference server: `Authorization: Bearer` with an access
 * token or a personal access token, revocation checked on every request, then the per-token
 * rate limit with `RateLimit-*` headers.
 */
export function createAuthGuards(context: ServerContext) {
  const { tessera, limits, metrics, users } = context;
  const scheme = bearerScheme<TesseraAuth>({ verify: (token) => tessera.authenticate(token) });
  const admins = createAdminLookup(context);

  return function requireAuth(options: RequireAuthOptions = {}): preHandlerAsyncHookHandler {
    const guard = createGuard<TesseraAuth>({ schemes: [scheme], scopes: options.scopes ?? [], scopesOf: (auth) => auth.scopes });
    return async function tesseraAuth(request: FastifyRequest, reply: FastifyReply) {
      const result = await guard.authenticate(createNodeRequestView(request.raw, request.url));
      if (!result.ok) {
        metrics.authOutcomes.inc({ outcome: result.code });
        return reply.code(result.status).headers(result.headers).type(PROBLEM_CONTENT_TYPE).send(result.problem);
      }
      const auth = result.auth;
      if (options.allowPersonalAccessToken === false && auth.tokenType === "personal_access_token") {
        metrics.authOutcomes.inc({ outcome: "forbidden" });
        return sendProblem(reply, "forbidden", { detail: "A personal access token cannot be used here; log in instead" });
      }
      metrics.authOutcomes.inc({ outcome: "ok" });
      request.auth = auth;
      tessera.touchLater(`u${auth.userId}`, () => users.touchUser(auth.userId, tessera.clock.now()));

      const limit = limits.requestToken;
      // Contract section 4: the per-token limit is off by default for admins.
      if (limit && !(await admins.isAdmin(auth.userId))) {
        const key = auth.jti ?? `pat:${auth.personalAccessTokenId ?? 0}`;
        const decision = await limit.hit(key);
        void reply.headers(rateLimitHeaders(decision));
        if (!decision.allowed) {
          metrics.rateLimited.inc({ limit: "request-token" });
          return sendProblem(reply, "rate_limited", {
            detail: "Too many requests with this token",
            headers: { "retry-after": String(decision.resetSeconds) },
          });
        }
      }
      return undefined;
    };
  };
}

export type RequireAuth = ReturnType<typeof createAuthGuards>;

/** How long an answer to "is this user an admin?" is reused before the store is asked again. */
const ADMIN_LOOKUP_TTL_MS = 30_000;

/** A small cache of admin flags, so the per-token limit needs no store round trip per request. */
function createAdminLookup(context: ServerContext) {
  const known = new Map<number, { isAdmin: boolean; at: number }>();
  return {
    async isAdmin(userId: number): Promise<boolean> {
      const now = context.tessera.clock.now();
      const cached = known.get(userId);
      if (cached && now - cached.at < ADMIN_LOOKUP_TTL_MS) return cached.isAdmin;
      const user = await context.users.getUserById(userId);
      if (known.size >= 10_000) known.clear();
      const isAdmin = user?.isAdmin ?? false;
      known.set(userId, { isAdmin, at: now });
      return isAdmin;
    },
  };
}

/** The challenge for a refused bearer token outside a guard (refresh endpoint). */
export function invalidTokenChallenge(detail: string): string {
  return formatBearerChallenge({ realm: "tessera", error: "invalid_token", errorDescription: detail });
}

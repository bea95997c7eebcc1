import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { currentAuditContext } from "../auth/audit-log.js";
import type { Principal } from "../auth/types.js";
import { BackendUnavailableError } from "../core/errors.js";
import { formatBearerChallenge } from "../http/challenge.js";
import { fastifyTessera, sendProblem } from "../http/fastify/index.js";
import { clientIpKey, rateLimitHeaders, type LimitDecision } from "../http/rate-limit.js";
import type { ServerContext } from "./context.js";

/**
 * The caller of a guarded route: Tessera's principal with the server's integer user id. For a
 * machine client's token, the owner's id, or 0 (no user) for a client that has none.
 */
export type ServerPrincipal = Omit<Principal, "userId"> & { userId: number };

/** Options of one route's guard. */
export interface RequireAuthOptions {
  /** Scopes the route needs; missing ones answer 403 insufficient_scope. */
  scopes?: string[];
  /** False for routes a personal access token (or a machine client) may not use (minting PATs). */
  allowPersonalAccessToken?: boolean;
  /**
   * True for routes that act for no user (introspection), where a machine client without an
   * owner may call. Elsewhere a client's token acts for its owner, and one without is refused.
   */
  allowUnownedClient?: boolean;
}

export type RequireAuth = (options?: RequireAuthOptions) => onRequestAsyncHookHandler[];

/** The authenticated caller of a guarded route. */
export function authOf(request: FastifyRequest): ServerPrincipal {
  // Set by the tessera-auth/fastify plugin registered below with this very type.
  const auth = request.auth as ServerPrincipal | null;
  if (!auth) throw new Error("route is not guarded");
  return auth;
}

/**
 * Registers Tessera's Fastify adapter (`Authorization: Bearer` with an access token or a
 * personal access token, revocation checked on every request) and returns the server's route
 * guard: the adapter's `onRequest` hook, then the server's own rules (no PAT where a login is
 * needed, the per-token rate limit with `RateLimit-*` headers, last-seen stamps).
 */
export async function installRouteGuard(app: FastifyInstance, context: ServerContext): Promise<RequireAuth> {
  const { tessera, limits, metrics, users } = context;
  await app.register(fastifyTessera, {
    schemes: [
      tessera.bearer({
        accept: ["access", "pat", "client"],
        load: (principal): ServerPrincipal => ({ ...principal, userId: principal.userId === "" ? 0 : Number(principal.userId) }),
      }),
    ],
    onResult: (result) => {
      if (!result.ok) metrics.authOutcomes.inc({ outcome: result.code });
    },
  });
  const admins = createAdminLookup(context);

  const badTokens = limits.badTokenIp;
  // Clients whose unusable-token allowance is used up, remembered here from the counts their
  // own failures returned: the check on every guarded request is a map look-up, not a limiter
  // (Redis) round trip. Another instance learns it at that client's next failure there.
  const exhausted = new Map<string, { decision: LimitDecision; until: number }>();
  return function requireAuth(options: RequireAuthOptions = {}) {
    const guard = app.requireAuth<ServerPrincipal>({ scopes: options.scopes ?? [] });
    // Guessing tokens is bounded per client: unusable tokens (malformed or unknown) count, and
    // once a client has used up its allowance every token request of it is 429 for a while.
    async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (badTokens === null) {
        await guard.call(app, request, reply);
        return;
      }
      const key = clientIpKey(request.ip);
      const blocked = exhausted.get(key);
      if (blocked !== undefined && Date.now() < blocked.until) {
        metrics.refused("bad-token-ip", key);
        const resetSeconds = Math.max(1, Math.ceil((blocked.until - Date.now()) / 1000));
        await sendProblem(reply, "rate_limited", {
          detail: "Too many requests with unusable tokens from this address",
          headers: { ...rateLimitHeaders({ ...blocked.decision, remaining: 0, resetSeconds }), "retry-after": String(resetSeconds) },
        });
        return;
      }
      if (blocked !== undefined) exhausted.delete(key);
      await guard.call(app, request, reply);
      const failure = guard.failure(request);
      if (failure !== "token_malformed" && failure !== "token_invalid") return;
      const decision = await badTokens.hit(key);
      if (decision.remaining === 0 || !decision.allowed) {
        if (exhausted.size >= 10_000) exhausted.clear();
        exhausted.set(key, { decision, until: Date.now() + decision.resetSeconds * 1000 });
      }
    }
    async function serverRules(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const auth = guard.auth(request);
      if (options.allowPersonalAccessToken === false && auth.tokenType !== "access_token") {
        metrics.authOutcomes.inc({ outcome: "forbidden" });
        const what = auth.tokenType === "client_token" ? "A machine client's token" : "A personal access token";
        await sendProblem(reply, "forbidden", { detail: `${what} cannot be used here; log in instead` });
        return;
      }
      if (auth.tokenType === "client_token" && auth.userId === 0 && options.allowUnownedClient !== true) {
        metrics.authOutcomes.inc({ outcome: "forbidden" });
        await sendProblem(reply, "forbidden", { detail: "A machine client without an owner acts for no user and cannot be used here" });
        return;
      }
      metrics.recordAuthOk();
      const audit = currentAuditContext();
      if (audit !== undefined) {
        const isClient = auth.tokenType === "client_token";
        audit.actorType = isClient ? "client" : "user";
        audit.actorId = isClient ? (auth.clientId ?? null) : String(auth.userId);
        audit.clientId = auth.clientId ?? null;
      }
      if (auth.userId !== 0) context.touches.touch(`u${auth.userId}`, (now) => users.touchUser(auth.userId, now));

      const limit = limits.requestToken;
      // The per-token limit is off by default for admins (docs/http-api.md, abuse limits).
      if (limit && (auth.userId === 0 || !(await admins.isAdmin(auth.userId)))) {
        const key = auth.jti ?? `token:${auth.tokenId ?? 0}`;
        const decision = await limit.hit(key);
        void reply.headers(rateLimitHeaders(decision));
        if (!decision.allowed) {
          metrics.refused("request-token", key);
          await sendProblem(reply, "rate_limited", {
            detail: "Too many requests with this token",
            headers: { "retry-after": String(decision.resetSeconds) },
          });
        }
      }
    }
    // One onRequest hook, not two: each hook is a promise and a turn of Fastify's hook runner
    // on every guarded request.
    async function guardRoute(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      await authenticate(request, reply);
      if (reply.sent || guard.failure(request) !== undefined) return;
      await serverRules(request, reply);
    }
    return [guardRoute];
  };
}

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
      let user: Awaited<ReturnType<typeof context.users.getUserById>>;
      try {
        user = await context.users.getUserById(userId);
      } catch (error) {
        // The database is down: the last answer, or "not an admin" (the limit applies). A
        // request decided by its token alone does not wait for the database.
        if (error instanceof BackendUnavailableError) return cached?.isAdmin ?? false;
        throw error;
      }
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

import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { createGuard, type GuardOptions } from "../guard.js";
import type { RegisteredAuth } from "../register.js";
import { hookFor, type FastifyAuthHook } from "./require-auth.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by a Tessera guard; `null` on routes without one. Typed through `Register` in tessera-auth/http. */
    auth: RegisteredAuth | null;
  }
  interface FastifyInstance {
    /**
     * A route guard over the plugin's defaults; `options` override them (typically `scopes`).
     *
     * @example
     * app.post("/api/notes", { onRequest: app.requireAuth({ scopes: ["notes:write"] }) }, handler);
     */
    requireAuth<A = RegisteredAuth>(options?: Partial<GuardOptions<A>>): FastifyAuthHook<A>;
  }
}

/** Options of {@link fastifyTessera}: the schemes and defaults every `app.requireAuth()` shares. */
export type FastifyTesseraOptions = GuardOptions<unknown>;

async function plugin(app: FastifyInstance, options: FastifyTesseraOptions): Promise<void> {
  // Built now so a misconfiguration fails at registration, not on the first request.
  const base = createGuard(options);
  // Declared up front so every request object keeps one shape.
  app.decorateRequest("auth", null);
  app.decorate("requireAuth", function requireAuth<A>(routeOptions: Partial<GuardOptions<A>> = {}): FastifyAuthHook<A> {
    const guard = Object.keys(routeOptions).length === 0 ? base : createGuard({ ...base.options, ...routeOptions } as GuardOptions<unknown>);
    return hookFor(guard) as FastifyAuthHook<A>;
  });
}

/**
 * The Fastify plugin: `request.auth` and `app.requireAuth(...)` `onRequest` hooks.
 *
 * @example
 * await app.register(fastifyTessera, { schemes: [tessera.bearer()] });
 * app.get("/api/me", { onRequest: app.requireAuth() }, async (request) => request.auth);
 */
export const fastifyTessera = fp(plugin, { name: "tessera-auth", fastify: "5.x" });

import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { ErrorCode } from "../../core/errors.js";
import { createGuard, type Guard, type GuardOptions } from "../guard.js";
import { createNodeRequestView } from "../node-request-view.js";
import type { RegisteredAuth } from "../register.js";

/**
 * An `onRequest` hook that authenticates the request, plus a typed accessor for what it found.
 *
 * @example
 * const member = requireAuth({ schemes: [tessera.bearer({ load: findUser })], scopes: ["notes:read"] });
 * app.get("/api/notes", { onRequest: member }, async (request) => notesOf(member.auth(request).id));
 */
export interface FastifyAuthHook<A> extends onRequestAsyncHookHandler {
  /** The authenticated principal of a request this hook let through (throws on a route it does not guard). */
  auth(request: FastifyRequest): A;
  /** The code this hook refused a request with (`token_invalid`, ...), or undefined when it let it through. */
  failure(request: FastifyRequest): ErrorCode | undefined;
}

/**
 * A route guard for Fastify as an `onRequest` hook: it runs before the body is read and
 * validated, so an unauthenticated request with a bad body gets 401, not 400. Sets
 * `request.auth` too (typed through `Register` in tessera-auth/http).
 *
 * @example
 * app.get("/api/me", { onRequest: requireAuth({ schemes: [tessera.bearer()] }) }, handler);
 */
export function requireAuth<A = RegisteredAuth>(options: GuardOptions<A>): FastifyAuthHook<A> {
  return hookFor(createGuard(options));
}

/** @internal Builds the hook over a ready guard (the plugin derives per-route guards). */
export function hookFor<A>(guard: Guard<A>): FastifyAuthHook<A> {
  const found = new WeakMap<FastifyRequest, A>();
  const refused = new WeakMap<FastifyRequest, ErrorCode>();
  const hook = async function tesseraRequireAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const result = await guard.authenticate(createNodeRequestView(request.raw, request.url));
    if (result.ok) {
      found.set(request, result.auth);
      // The app registered the same type it maps to; the guard cannot check that link.
      request.auth = result.auth as RegisteredAuth;
      return;
    }
    refused.set(request, result.code);
    const { status, headers, body } = guard.renderFailure(result);
    await reply.code(status).headers(headers).send(body);
  };
  return Object.assign(hook, {
    auth(request: FastifyRequest): A {
      if (!found.has(request)) throw new Error("this route is not guarded by this requireAuth hook");
      return found.get(request) as A;
    },
    failure: (request: FastifyRequest): ErrorCode | undefined => refused.get(request),
  });
}

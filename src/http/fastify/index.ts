import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import fp from "fastify-plugin";
import { createGuard, type Guard, type GuardOptions } from "../guard.js";
import { createNodeRequestView } from "../node-request-view.js";
import type { RegisteredAuth } from "../register.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by a Tessera guard; `null` on routes without one. Typed through `Register` in tessera/http. */
    auth: RegisteredAuth | null;
  }
  interface FastifyInstance {
    tessera: TesseraDecorator;
  }
}

/**
 * Options of the {@link tessera} plugin: the schemes and defaults every route guard shares.
 * Any `auth` type is accepted; `request.auth` is typed through `Register` in tessera/http.
 */
export type TesseraPluginOptions = GuardOptions<unknown>;

/** `app.tessera`: builds route guards over the plugin's schemes. */
export interface TesseraDecorator {
  /**
   * A preHandler for one route; `options` override the plugin's (typically `scopes`, or
   * `schemes` and `onFailure`).
   *
   * @example
   * app.post("/api/posts", { preHandler: app.tessera.guard({ scopes: ["posts:write"] }) }, handler);
   */
  guard(options?: Partial<GuardOptions<unknown>>): preHandlerAsyncHookHandler;
}

async function tesseraPlugin(app: FastifyInstance, options: TesseraPluginOptions): Promise<void> {
  // Built now so a misconfiguration fails at registration, not on the first request.
  const base = createGuard(options);
  // Declared up front so every request object keeps one shape.
  app.decorateRequest("auth", null);
  app.decorate("tessera", {
    guard(routeOptions: Partial<GuardOptions<unknown>> = {}) {
      const routeGuard = Object.keys(routeOptions).length === 0 ? base : createGuard({ ...base.options, ...routeOptions });
      return toPreHandler(routeGuard);
    },
  } satisfies TesseraDecorator);
}

/**
 * The Fastify plugin: `request.auth` plus `app.tessera.guard(...)` preHandlers.
 *
 * @example
 * await app.register(tessera, { schemes: [bearerScheme({ verify })] });
 * app.get("/api/me", { preHandler: app.tessera.guard() }, async (request) => request.auth);
 */
export const tessera = fp(tesseraPlugin, { name: "tessera", fastify: "5.x" });
export default tessera;

/**
 * A standalone preHandler with its own options, for apps that do not register the plugin.
 *
 * @example
 * app.get("/token", { preHandler: guard({ schemes: [basicScheme({ verify })] }) }, handler);
 */
export function guard<A>(options: GuardOptions<A>): preHandlerAsyncHookHandler {
  return toPreHandler(createGuard(options));
}

function toPreHandler<A>(routeGuard: Guard<A>): preHandlerAsyncHookHandler {
  return async function tesseraGuard(request: FastifyRequest, reply: FastifyReply) {
    const result = await routeGuard.authenticate(createNodeRequestView(request.raw, request.url));
    if (result.ok) {
      // The app chose A and registered the same type; the guard cannot check that link.
      request.auth = result.auth as RegisteredAuth;
      return;
    }
    const { status, headers, body } = routeGuard.renderFailure(result);
    return reply.code(status).headers(headers).send(body);
  };
}

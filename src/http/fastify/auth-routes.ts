import type { FastifyInstance, FastifyReply } from "fastify";
import fp from "fastify-plugin";
import type { Tessera } from "../../auth/create-tessera.js";
import type { LoginUser } from "../../auth/user-directory.js";
import { createAuthEndpoints, type AuthRoutesOptions } from "../auth-routes/endpoints.js";
import type { EndpointResponse } from "../auth-routes/endpoint.js";
import { createNodeRequestView } from "../node-request-view.js";

/** Options of the {@link authRoutes} plugin: the facade and where to mount. */
export interface FastifyAuthRoutesOptions<U extends LoginUser = LoginUser> extends AuthRoutesOptions {
  tessera: Tessera<U>;
}

async function plugin(app: FastifyInstance, options: FastifyAuthRoutesOptions): Promise<void> {
  const { tessera, ...rest } = options;
  for (const endpoint of createAuthEndpoints(tessera, rest)) {
    app.route({
      method: endpoint.method,
      url: endpoint.path,
      handler: async (request, reply) =>
        send(
          reply,
          await endpoint.handle({
            view: createNodeRequestView(request.raw, request.url),
            body: request.body,
            params: request.params as Record<string, string>,
            ip: request.ip,
          }),
        ),
    });
  }
}

function send(reply: FastifyReply, answer: EndpointResponse): FastifyReply {
  void reply.code(answer.status).headers(answer.headers);
  return answer.body === undefined ? reply.send() : reply.send(JSON.stringify(answer.body));
}

/**
 * The auth endpoints (login, refresh, logout, personal access tokens) as a Fastify plugin.
 * Pair it with `app.setErrorHandler(problemErrorHandler)` for problem+json body errors.
 *
 * @example
 * await app.register(authRoutes, { tessera, prefix: "/api" });
 */
export const authRoutes = fp(plugin, { name: "tessera-auth-routes", fastify: "5.x" });

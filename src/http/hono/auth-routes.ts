import { Hono, type Context } from "hono";
import type { ContentfulStatusCode, StatusCode } from "hono/utils/http-status";
import type { Tessera } from "../../auth/create-tessera.js";
import type { LoginUser } from "../../auth/user-directory.js";
import { createAuthEndpoints, type AuthRoutesOptions } from "../auth-routes/endpoints.js";
import type { EndpointResponse } from "../auth-routes/endpoint.js";
import { problem } from "./problems.js";
import { honoRequestView } from "./request-view.js";

/** Options of Hono's {@link authRoutes}. */
export interface HonoAuthRoutesOptions extends AuthRoutesOptions {
  /** The client address of a request. Default: the Node socket's address (`@hono/node-server`), else "unknown". */
  ipOf?: (c: Context) => string;
}

/**
 * A Hono app with the auth endpoints (login, refresh, logout, personal access tokens); mount it
 * with `app.route("/", authRoutes(tessera))`.
 *
 * @example
 * app.route("/", authRoutes(tessera, { prefix: "/api" }));
 */
export function authRoutes<U extends LoginUser>(tessera: Tessera<U>, options: HonoAuthRoutesOptions = {}): Hono {
  const routes = new Hono();
  const ipOf = options.ipOf ?? defaultIp;
  for (const endpoint of createAuthEndpoints(tessera, options)) {
    routes.on(endpoint.method, endpoint.path, async (c) => {
      let body: unknown;
      const text = await c.req.text();
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          return problem(c, "validation_failed", { detail: "The body is not valid JSON", extra: { errors: [{ field: "body", message: "is not valid JSON" }] } });
        }
      }
      return send(c, await endpoint.handle({ view: honoRequestView(c), body, params: c.req.param(), ip: ipOf(c) }));
    });
  }
  return routes;
}

function defaultIp(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}

function send(c: Context, answer: EndpointResponse): Response {
  if (answer.body === undefined) return c.body(null, answer.status as StatusCode, answer.headers);
  return c.body(JSON.stringify(answer.body), answer.status as ContentfulStatusCode, answer.headers);
}

import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { createGuard, type GuardOptions } from "../guard.js";
import type { RegisteredAuth } from "../register.js";
import { honoRequestView } from "./request-view.js";

/** The context variables the middleware sets. */
export interface TesseraVariables<A> {
  auth: A;
}

/** The Hono env of routes behind {@link requireAuth}. */
export interface TesseraEnv<A = RegisteredAuth> {
  Variables: TesseraVariables<A>;
}

/**
 * Hono middleware on Web Request/Response: sets `c.get("auth")` or answers 400/401/403/503
 * with problem+json and `WWW-Authenticate` (or what `onFailure` shapes). Options are checked when it is built.
 *
 * @example
 * app.get("/api/me", requireAuth({ schemes: [bearerScheme({ verify })] }), (c) => c.json(c.get("auth")));
 */
export function requireAuth<A = RegisteredAuth>(options: GuardOptions<A>): MiddlewareHandler<TesseraEnv<A>> {
  const routeGuard = createGuard(options);
  return createMiddleware<TesseraEnv<A>>(async (c, next) => {
    const result = await routeGuard.authenticate(honoRequestView(c));
    if (!result.ok) {
      const { status, headers, body } = routeGuard.renderFailure(result);
      // renderFailure only answers 400-599, all of which carry content.
      return c.body(body, status as ContentfulStatusCode, headers);
    }
    c.set("auth", result.auth);
    await next();
    return undefined;
  });
}

import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createGuard, type GuardOptions, type RenderedFailure } from "../guard.js";
import { createNodeRequestView } from "../node-request-view.js";
import type { RegisteredAuth } from "../register.js";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express types requests through this global namespace
  namespace Express {
    interface Request {
      /** Set by {@link requireAuth}. Typed through `Register` in tessera/http. */
      auth?: RegisteredAuth;
    }
  }
}

/**
 * Express 5 middleware: sets `req.auth` or answers 400/401/403/503 with problem+json and
 * `WWW-Authenticate` (or what `onFailure` shapes). Options are checked when it is built.
 *
 * @example
 * const auth = { schemes: [bearerScheme({ verify })] };
 * app.post("/api/posts", requireAuth({ ...auth, scopes: ["posts:write"] }), handler);
 */
export function requireAuth<A = RegisteredAuth>(options: GuardOptions<A>): RequestHandler {
  const routeGuard = createGuard(options);
  return function tesseraGuard(req: Request, res: Response, next: NextFunction): void {
    routeGuard.authenticate(createNodeRequestView(req, req.originalUrl)).then((result) => {
      if (result.ok) {
        // The app chose A and registered the same type; the guard cannot check that link.
        req.auth = result.auth as RegisteredAuth;
        next();
        return;
      }
      let rendered: RenderedFailure;
      try {
        rendered = routeGuard.renderFailure(result);
      } catch (error) {
        // A misbehaving onFailure is a bug: Express's error handling, like a verify fault.
        next(error);
        return;
      }
      res.status(rendered.status).set(rendered.headers).send(rendered.body);
    }, next);
  };
}

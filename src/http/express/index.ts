import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createGuard, type GuardOptions } from "../guard.js";
import { createNodeRequestView } from "../node-request-view.js";
import { PROBLEM_CONTENT_TYPE } from "../problem.js";
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
 * `WWW-Authenticate`. Options are checked when it is built.
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
      res.status(result.status).set(result.headers).set("Content-Type", PROBLEM_CONTENT_TYPE);
      res.send(JSON.stringify(result.problem));
    }, next);
  };
}

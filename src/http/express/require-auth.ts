import type { NextFunction, Request, RequestHandler, Response } from "express";
import { createGuard, type GuardOptions, type RenderedFailure } from "../guard.js";
import { createNodeRequestView } from "../node-request-view.js";
import type { RegisteredAuth } from "../register.js";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express types requests through this global namespace
  namespace Express {
    interface Request {
      /** Set by {@link requireAuth}. Typed through `Register` in tessera-auth/http. */
      auth?: RegisteredAuth;
    }
  }
}

/**
 * Express middleware plus a typed accessor for what it found.
 *
 * @example
 * const member = requireAuth({ schemes: [tessera.bearer({ load: findUser })] });
 * app.get("/api/notes", member, (req, res) => res.json(notesOf(member.auth(req).id)));
 */
export interface ExpressAuthMiddleware<A> extends RequestHandler {
  /** The authenticated principal of a request this middleware let through (throws elsewhere). */
  auth(req: Request): A;
}

/**
 * Express 5 middleware: sets `req.auth` or answers 401/403/503 (400 for credentials sent two
 * ways) with problem+json and `WWW-Authenticate` (or what `onFailure` shapes). Options are
 * checked when it is built.
 *
 * @example
 * app.post("/api/notes", requireAuth({ schemes: [tessera.bearer()], scopes: ["notes:write"] }), handler);
 */
export function requireAuth<A = RegisteredAuth>(options: GuardOptions<A>): ExpressAuthMiddleware<A> {
  const guard = createGuard(options);
  const found = new WeakMap<Request, A>();
  const middleware = function tesseraRequireAuth(req: Request, res: Response, next: NextFunction): void {
    guard.authenticate(createNodeRequestView(req, req.originalUrl)).then((result) => {
      if (result.ok) {
        found.set(req, result.auth);
        // The app registered the same type it maps to; the guard cannot check that link.
        req.auth = result.auth as RegisteredAuth;
        next();
        return;
      }
      let rendered: RenderedFailure;
      try {
        rendered = guard.renderFailure(result);
      } catch (error) {
        // A misbehaving onFailure is a bug: Express's error handling, like a verify fault.
        next(error);
        return;
      }
      res.status(rendered.status).set(rendered.headers).send(rendered.body);
    }, next);
  };
  return Object.assign(middleware, {
    auth(req: Request): A {
      if (!found.has(req)) throw new Error("this route is not guarded by this requireAuth middleware");
      return found.get(req) as A;
    },
  });
}

import express, { type Request, type Response, type Router } from "express";
import type { Tessera } from "../../auth/create-tessera.js";
import type { LoginUser } from "../../auth/user-directory.js";
import { createAuthEndpoints, type AuthRoutesOptions } from "../auth-routes/endpoints.js";
import type { EndpointResponse } from "../auth-routes/endpoint.js";
import { createNodeRequestView } from "../node-request-view.js";
import { problemErrorHandler } from "./problems.js";

/**
 * An Express router with the auth endpoints (login, refresh, logout, personal access tokens),
 * JSON body parsing and problem+json errors included.
 *
 * @example
 * app.use(authRoutes(tessera, { prefix: "/api" }));
 */
export function authRoutes<U extends LoginUser>(tessera: Tessera<U>, options: AuthRoutesOptions = {}): Router {
  const router = express.Router();
  const json = express.json({ limit: "64kb" });
  for (const endpoint of createAuthEndpoints(tessera, options)) {
    const method = endpoint.method === "GET" ? "get" : endpoint.method === "POST" ? "post" : "delete";
    router[method](endpoint.path, json, (req: Request, res: Response, next) => {
      endpoint
        .handle({ view: createNodeRequestView(req, req.originalUrl), body: req.body as unknown, params: req.params as Record<string, string>, ip: req.ip ?? req.socket.remoteAddress ?? "" })
        .then((answer) => send(res, answer), next);
    });
  }
  router.use(problemErrorHandler);
  return router;
}

function send(res: Response, answer: EndpointResponse): void {
  res.status(answer.status).set(answer.headers);
  if (answer.body === undefined) res.end();
  else res.send(JSON.stringify(answer.body));
}

// Peer: hono + hono/jwt middleware on @hono/node-server.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { jwt, type JwtVariables } from "hono/jwt";
import { announceReady, describeUser, exitOnSignal, readPeerSecret, USER_ROUTE } from "./announce.js";

const app = new Hono<{ Variables: JwtVariables<{ sub?: unknown }> }>();
app.get(USER_ROUTE, jwt({ secret: readPeerSecret(), alg: "HS256" }), (context) =>
  context.json(describeUser(context.req.param("id"), context.get("jwtPayload").sub)),
);

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announceReady(server.address()));
exitOnSignal(() => new Promise((resolve) => server.close(resolve)));

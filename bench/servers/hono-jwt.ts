// Peer: hono + hono/jwt middleware on @hono/node-server.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { jwt, type JwtVariables } from "hono/jwt";
import { announceReady, describeUser, exitOnSignal, readPeerSecret } from "./announce.js";

const app = new Hono<{ Variables: JwtVariables<{ sub?: unknown; scope?: unknown }> }>();
app.use("/me", jwt({ secret: readPeerSecret(), alg: "HS256" }));
app.get("/me", (context) => context.json(describeUser(context.get("jwtPayload"))));

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announceReady(server.address()));
exitOnSignal(() => new Promise((resolve) => server.close(resolve)));

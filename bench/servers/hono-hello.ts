// Reference: hono on @hono/node-server answering the peers' route and body with no auth at all,
// the framework's own ceiling for this route.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { announceReady, describeUser, exitOnSignal, USER_ROUTE } from "./announce.js";

const app = new Hono();
app.get(USER_ROUTE, (context) => context.json(describeUser(context.req.param("id"), "1")));

const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => announceReady(server.address()));
exitOnSignal(() => new Promise((resolve) => server.close(resolve)));

// Tessera's Hono adapter on the peers' route: `requireAuth` middleware, a Tessera access token
// (signature or cache, claims, revocation on every request).
// Standalone: PORT=3000 TOKEN_FILE=/tmp/token npx tsx bench/servers/tessera-hono.ts
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { requireAuth, type TesseraEnv } from "tessera-auth/hono";
import type { Principal } from "tessera-auth";
import { announceReady, describeUser, exitOnSignal, USER_ROUTE } from "./announce.js";
import { startBenchTessera, subjectOf } from "./tessera-setup.js";

const bench = await startBenchTessera();
const app = new Hono<TesseraEnv<Principal>>();
app.get(USER_ROUTE, requireAuth<Principal>({ schemes: [bench.tessera.bearer()] }), (context) =>
  context.json(describeUser(context.req.param("id"), subjectOf(context.get("auth")))),
);

const server = serve({ fetch: app.fetch, port: bench.port, hostname: bench.host }, () => announceReady(server.address()));
exitOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await bench.close();
});

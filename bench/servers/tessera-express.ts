// Tessera's Express adapter on the peers' route: `requireAuth` middleware, a Tessera access
// token (signature or cache, claims, revocation on every request).
// Standalone: PORT=3000 TOKEN_FILE=/tmp/token npx tsx bench/servers/tessera-express.ts
import express from "express";
import { requireAuth } from "tessera-auth/express";
import { announceReady, describeUser, exitOnSignal, USER_ROUTE } from "./announce.js";
import { startBenchTessera, subjectOf } from "./tessera-setup.js";

const bench = await startBenchTessera();
const guard = requireAuth({ schemes: [bench.tessera.bearer()] });
const app = express();
app.disable("x-powered-by");
app.get(USER_ROUTE, guard, (request, response) => {
  response.json(describeUser(String(request.params.id), subjectOf(guard.auth(request))));
});

const server = app.listen(bench.port, bench.host, () => announceReady(server.address()));
exitOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await bench.close();
});

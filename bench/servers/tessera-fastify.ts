// Tessera's Fastify adapter on the peers' route: `requireAuth` as an onRequest hook, a Tessera
// access token (signature or cache, claims, revocation on every request).
// Standalone: PORT=3000 TOKEN_FILE=/tmp/token npx tsx bench/servers/tessera-fastify.ts
import Fastify from "fastify";
import { requireAuth } from "tessera-auth/fastify";
import { announceReady, describeUser, exitOnSignal, USER_ROUTE } from "./announce.js";
import { startBenchTessera, subjectOf } from "./tessera-setup.js";

const bench = await startBenchTessera();
const guard = requireAuth({ schemes: [bench.tessera.bearer()] });
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>(USER_ROUTE, { onRequest: guard }, async (request) =>
  describeUser(request.params.id, subjectOf(guard.auth(request))),
);

await app.listen({ port: bench.port, host: bench.host });
announceReady(app.server.address());
exitOnSignal(async () => {
  await app.close();
  await bench.close();
});

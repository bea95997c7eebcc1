// Peer: fastify + @fastify/jwt, protecting one route the way the plugin's README does.
import fastifyJwt from "@fastify/jwt";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { announceReady, describeUser, exitOnSignal, readPeerSecret, USER_ROUTE } from "./announce.js";

const app = Fastify({ logger: false });
await app.register(fastifyJwt, { secret: readPeerSecret(), verify: { algorithms: ["HS256"] } });

async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    await request.jwtVerify();
  } catch (error) {
    await reply.send(error);
  }
}

app.get<{ Params: { id: string } }>(USER_ROUTE, { onRequest: authenticate }, async (request) =>
  describeUser(request.params.id, (request.user as { sub?: unknown }).sub),
);

await app.listen({ port: 0, host: "127.0.0.1" });
announceReady(app.server.address());
exitOnSignal(() => app.close());

// Reference: fastify 5 answering a small JSON body with no auth at all, the framework's own ceiling.
import Fastify from "fastify";
import { announceReady, exitOnSignal } from "./announce.js";

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));

await app.listen({ port: 0, host: "127.0.0.1" });
announceReady(app.server.address());
exitOnSignal(() => app.close());

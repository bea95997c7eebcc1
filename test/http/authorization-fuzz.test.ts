import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { basicScheme, bearerScheme } from "../../src/http/index.js";
import { fastifyTessera } from "../../src/http/fastify/index.js";
import { fuzzAuthorization } from "./authorization-fuzz.js";

void describe("the 401 rule under fuzzing", () => {
  void it("answers 600 random Authorization headers with 401 (or 431 when oversize), never 400 or 5xx", async () => {
    const app = Fastify();
    await app.register(fastifyTessera, {
      schemes: [
        bearerScheme({ verify: (token) => (token === "good" ? { ok: true, auth: { id: 1 } } : { ok: false, code: "token_invalid" }) }),
        basicScheme({ verify: () => ({ ok: false, code: "credentials_invalid" }) }),
      ],
    });
    app.get("/guarded", { onRequest: app.requireAuth() }, async () => "ok");
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const address = app.server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      const bad = await fuzzAuthorization(port, "/guarded", { seed: 20261203, count: 600 });
      assert.deepEqual(bad, []);
    } finally {
      await app.close();
    }
  });
});

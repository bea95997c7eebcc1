import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { login, makeApp, register } from "./helpers.js";

// Real sockets: concurrent requests race inside the server, not inside inject().
describe("refresh rotation under concurrency", () => {
  let app: FastifyInstance;
  let base: string;
  before(async () => {
    app = await makeApp();
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    await register(app, "gina");
  });
  after(() => app.close());

  const refresh = (token: string) =>
    fetch(`${base}/api/tokens/refresh`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token: token }) });

  it("40 parallel refreshes of one token all get a valid pair and the chain grows by one", async () => {
    const first = await login(app, "gina");
    const responses = await Promise.all(Array.from({ length: 40 }, () => refresh(first.refresh_token)));
    assert.deepEqual(new Set(responses.map((response) => response.status)), new Set([200]));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as { refresh_token: string; access_token: string }[];
    const successors = new Set(bodies.map((body) => body.refresh_token));
    assert.equal(successors.size, 1, "every caller holds the same, single successor");
    for (const body of bodies.slice(0, 5)) {
      const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${body.access_token}` } });
      assert.equal(me.status, 200);
    }
    // The successor works once more: the chain was not forked.
    const [successor] = [...successors];
    const next = await refresh(successor ?? "");
    assert.equal(next.status, 200);
  });
});

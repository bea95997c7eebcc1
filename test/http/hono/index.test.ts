import * as assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { requireAuth } from "../../../src/http/hono/index.js";
import { ROUTES, runBehaviourTable, type TestAuth } from "../behaviour-table.js";

function buildApp(): Hono {
  const app = new Hono();
  for (const [path, options] of Object.entries(ROUTES)) {
    app.get(path, requireAuth<TestAuth>(options), (c) => {
      // Typed by the middleware's Variables: no cast needed.
      const auth: TestAuth = c.get("auth");
      return c.json({ auth });
    });
  }
  return app;
}

runBehaviourTable("hono", async () => {
  const server = serve({ fetch: buildApp().fetch, hostname: "127.0.0.1", port: 0 });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
});

void describe("hono adapter", () => {
  void it("works on Web Request/Response without a Node server", async () => {
    const app = buildApp();
    const denied = await app.request("/posts", { headers: { Authorization: "Bearer good-token" } });
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get("content-type") ?? "", /^application\/problem\+json/);
    assert.equal(
      denied.headers.get("www-authenticate"),
      'Bearer realm="tessera", error="insufficient_scope", scope="posts:write"',
    );
    const allowed = await app.request("/token", { headers: { Authorization: "Token good-token" } });
    assert.equal(allowed.status, 200);
  });

  void it("passes a misbehaving onFailure to Hono's error handler", async () => {
    const app = new Hono();
    app.get("/", requireAuth({ ...ROUTES["/bearer"], onFailure: () => ({ status: 200, body: "fine" }) }), (c) => c.text("unreachable"));
    app.onError((error, c) => c.json({ caught: error.name }, 500));
    const response = await app.request("/");
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), { caught: "TypeError" });
  });

  void it("refuses a misconfiguration when the middleware is built", () => {
    assert.throws(() => requireAuth({ schemes: [] }), TypeError);
  });
});

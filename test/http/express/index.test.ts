import * as assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import express from "express";
import { requireAuth } from "../../../src/http/express/index.js";
import { ROUTES, runBehaviourTable } from "../behaviour-table.js";

runBehaviourTable("express", async () => {
  const app = express();
  for (const [path, options] of Object.entries(ROUTES)) {
    app.get(path, requireAuth(options), (req, res) => {
      res.json({ auth: req.auth });
    });
  }
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
});

void describe("express adapter", () => {
  void it("refuses a misconfiguration when the middleware is built", () => {
    assert.throws(() => requireAuth({ schemes: [] }), TypeError);
  });

  void it("passes a misbehaving onFailure to Express's error handling", async () => {
    const app = express();
    app.get("/", requireAuth({ ...ROUTES["/bearer"], onFailure: () => ({ status: 200, body: "fine" }) }), (_req, res) => {
      res.send("unreachable");
    });
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ caught: error.name });
    });
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { caught: "TypeError" });
    } finally {
      server.close();
    }
  });

  void it("passes verify faults to Express's error handling", async () => {
    const app = express();
    app.get(
      "/",
      requireAuth({
        schemes: [
          {
            key: "boom",
            name: "Boom",
            realm: undefined,
            authenticate: () => Promise.reject(new Error("boom")),
            challenge: () => 'Boom realm="x"',
          },
        ],
      }),
      (_req, res) => {
        res.send("unreachable");
      },
    );
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ caught: error.message });
    });
    const server = app.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(response.status, 500);
      assert.deepEqual(await response.json(), { caught: "boom" });
    } finally {
      server.close();
    }
  });
});

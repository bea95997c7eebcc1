import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { bearerScheme } from "../../../src/http/index.js";
import { fastifyTessera, requireAuth } from "../../../src/http/fastify/index.js";
import { ROUTES, runBehaviourTable } from "../behaviour-table.js";

const bearerOnly = ROUTES["/bearer"];

async function buildApp(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyTessera, bearerOnly);
  for (const [path, options] of Object.entries(ROUTES)) {
    app.get(path, { onRequest: app.requireAuth(options) }, async (request) => ({ auth: request.auth }));
  }
  app.get("/open", async (request) => ({ auth: request.auth }));
  app.get("/default", { onRequest: app.requireAuth() }, async (request) => ({ auth: request.auth }));
  app.get("/standalone", { onRequest: requireAuth(bearerOnly) }, async (request) => ({ auth: request.auth }));
  return app;
}

runBehaviourTable("fastify", async () => {
  const app = await buildApp();
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  return { baseUrl: address, close: () => app.close() };
});

void describe("fastify adapter", () => {
  void it("is a named fastify-plugin for Fastify 5", () => {
    const meta = (fastifyTessera as unknown as Record<symbol, { name?: string; fastify?: string } | undefined>)[
      Symbol.for("plugin-meta")
    ];
    assert.equal(meta?.name, "tessera-auth");
    assert.equal(meta?.fastify, "5.x");
  });

  void it("declares request.auth as null on routes without a guard", async () => {
    const app = await buildApp();
    const response = await app.inject({ method: "GET", url: "/open", headers: { authorization: "Bearer good-token" } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { auth: null });
  });

  void it("guards with the plugin's options when the route gives none, also under inject()", async () => {
    const app = await buildApp();
    const denied = await app.inject({ method: "GET", url: "/default" });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers["www-authenticate"], 'Bearer realm="tessera"');
    const allowed = await app.inject({ method: "GET", url: "/default", headers: { authorization: "Bearer good-token" } });
    assert.equal(allowed.statusCode, 200);
    assert.equal(allowed.json<{ auth: { userId: number } }>().auth.userId, 1);
  });

  void it("offers a standalone requireAuth onRequest hook", async () => {
    const app = await buildApp();
    const response = await app.inject({ method: "GET", url: "/standalone", headers: { authorization: "Bearer expired-token" } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json<{ code: string }>().code, "token_expired");
  });

  void it("applies the plugin's onFailure to every route guard unless a route overrides it", async () => {
    const app = Fastify();
    await app.register(fastifyTessera, { ...bearerOnly, realm: "app", onFailure: (failure) => ({ body: { error: failure.code } }) });
    app.get("/inherits", { onRequest: app.requireAuth({ scopes: ["posts:write"] }) }, async (request) => ({ auth: request.auth }));
    app.get("/overrides", { onRequest: app.requireAuth({ onFailure: () => ({ status: 418, body: "no" }) }) }, async () => "unreachable");
    const missing = await app.inject({ method: "GET", url: "/inherits" });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.headers["www-authenticate"], 'Bearer realm="app"');
    assert.deepEqual(missing.json(), { error: "token_missing" });
    const scope = await app.inject({ method: "GET", url: "/inherits", headers: { authorization: "Bearer good-token" } });
    assert.equal(scope.statusCode, 403);
    assert.deepEqual(scope.json(), { error: "insufficient_scope" });
    const overridden = await app.inject({ method: "GET", url: "/overrides" });
    assert.equal(overridden.statusCode, 418);
    assert.equal(overridden.body, "no");
    assert.equal(overridden.headers["www-authenticate"], 'Bearer realm="app"');
    await app.close();
  });

  void it("passes a misbehaving onFailure to Fastify's error handler", async () => {
    const app = Fastify();
    app.setErrorHandler((error: Error, _request, reply) => reply.code(500).send({ caught: error.name }));
    app.get("/", { onRequest: requireAuth({ ...bearerOnly, onFailure: () => ({ status: 200, body: "fine" }) }) }, async () => "unreachable");
    const response = await app.inject({ method: "GET", url: "/" });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { caught: "TypeError" });
    await app.close();
  });

  void it("refuses a misconfiguration at registration", async () => {
    const app = Fastify();
    await assert.rejects(async () => {
      await app.register(fastifyTessera, { schemes: [] });
    }, TypeError);
    await app.close();
  });

  void it("refuses a misconfigured route guard when the route is declared", async () => {
    const app = Fastify();
    await app.register(fastifyTessera, { schemes: [bearerScheme({ verify: () => ({ ok: true, auth: 1 }) })] });
    assert.throws(() => app.requireAuth({ scopes: ["bad scope\u0001"] }), TypeError);
    await app.close();
  });

  void it("authenticates before the body is validated: no token and a bad body is 401, not 400", async () => {
    const app = Fastify();
    await app.register(fastifyTessera, bearerOnly);
    app.post(
      "/notes",
      { onRequest: app.requireAuth(), schema: { body: { type: "object", required: ["title"], properties: { title: { type: "string" } } } } },
      async () => "created",
    );
    const response = await app.inject({ method: "POST", url: "/notes", payload: { nope: 1 } });
    assert.equal(response.statusCode, 401);
    await app.close();
  });

  void it("hands each route its principal through the hook's typed accessor", async () => {
    const app = Fastify();
    const member = requireAuth(bearerOnly);
    app.get("/whoami", { onRequest: member }, async (request) => ({ id: member.auth(request).userId }));
    app.get("/unguarded", async (request) => ({ id: member.auth(request).userId }));
    const response = await app.inject({ method: "GET", url: "/whoami", headers: { authorization: "Bearer good-token" } });
    assert.deepEqual(response.json(), { id: 1 });
    const misuse = await app.inject({ method: "GET", url: "/unguarded" });
    assert.equal(misuse.statusCode, 500);
    await app.close();
  });
});

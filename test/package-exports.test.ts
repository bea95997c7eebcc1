import assert from "node:assert/strict";
import { it } from "node:test";

// The package's own name resolves through package.json "exports" to dist/, which `npm install`
// builds (the `prepare` script): what a user of `import ... from "tessera-auth"` gets.
it("every public subpath resolves and works through the package name", async () => {
  const core = await import("tessera-auth");
  const stores = await import("tessera-auth/stores");
  const http = await import("tessera-auth/http");
  const fastify = await import("tessera-auth/fastify");
  const express = await import("tessera-auth/express");
  const hono = await import("tessera-auth/hono");
  const server = await import("tessera-auth/server");
  assert.equal(typeof core.Tessera, "function");
  assert.equal(typeof http.createGuard, "function");
  assert.equal(typeof fastify.tessera, "function");
  assert.equal(typeof express.requireAuth, "function");
  assert.equal(typeof hono.requireAuth, "function");

  const store = await stores.openSqlStore("sqlite::memory:");
  await store.migrate();
  const tessera = await core.Tessera.create({ store: store.auth, issuer: "http://package.test", audience: "tessera" });
  try {
    const user = await store.auth.createUser({ username: "pkg", passwordHash: await tessera.passwords.hash("a long passphrase"), now: Date.now() });
    assert.ok(user);
    const pair = await tessera.startSession(user, { scope: "posts:read" });
    const verified = await tessera.authenticate(pair.accessToken);
    assert.equal(verified.ok && verified.auth.userId, user.id);
  } finally {
    await tessera.close();
    await store.close();
  }

  const app = await server.buildApp(server.loadConfig({ TESSERA_DATABASE_URL: "sqlite::memory:", TESSERA_LOG_LEVEL: "silent" }));
  try {
    assert.equal((await app.inject("/healthz")).statusCode, 200);
  } finally {
    await app.close();
  }
});

import assert from "node:assert/strict";
import { it } from "node:test";

// The package's own name resolves through package.json "exports" to dist/, which `npm install`
// builds (the `prepare` script): what a user of `import ... from "tessera-auth"` gets.
it("every public subpath resolves and works through the package name", async () => {
  const core = await import("tessera-auth");
  const stores = await import("tessera-auth/stores");
  const http = await import("tessera-auth/http");
  const passwords = await import("tessera-auth/passwords");
  const jwt = await import("tessera-auth/jwt");
  const tokens = await import("tessera-auth/tokens");
  const fastify = await import("tessera-auth/fastify");
  const express = await import("tessera-auth/express");
  const hono = await import("tessera-auth/hono");
  const server = await import("tessera-auth/server");
  assert.equal(typeof core.createTessera, "function");
  assert.equal(typeof http.createGuard, "function");
  assert.equal(typeof passwords.hashPassword, "function");
  assert.equal(typeof jwt.verifyAccessToken, "function");
  assert.equal(typeof tokens.hashToken, "function");
  for (const adapter of [fastify, express, hono]) {
    assert.equal(typeof adapter.requireAuth, "function");
    assert.equal(typeof adapter.authRoutes, "function");
  }

  const store = await stores.openTokenStore("sqlite::memory:");
  await store.migrate();
  const users = new Map([["pkg", { id: "u-1", passwordHash: await passwords.hashPassword("a long passphrase") }]]);
  const tessera = await core.createTessera({ store, users: { findForLogin: (name) => users.get(name) }, issuer: "http://package.test", audience: "tessera" });
  try {
    const login = await tessera.login("pkg", "a long passphrase");
    assert.ok(login.ok);
    const verified = await tessera.verify(login.pair.accessToken);
    assert.equal(verified.ok && verified.principal.userId, "u-1");
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

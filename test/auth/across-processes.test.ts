import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTessera, type Tessera, type TesseraOptions } from "../../src/index.js";
import { createKeyRing } from "../../src/core/jwt/index.js";
import { createPasswordHasher } from "../../src/core/passwords/index.js";
import { openTokenStore, type SqlTokenStore } from "../../src/stores/index.js";
import type { TestUser } from "./helpers.js";

const until = async (check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
};

const signingKid = (tessera: Tessera<TestUser>) => createKeyRing(tessera.keys.records()).signingKey?.kid;
const passwordHasher = createPasswordHasher({ memoryCost: 8192, timeCost: 1 });

// Two facades over one store stand for two processes (two instances, or a server and the CLI).
void describe("Tessera across processes sharing a store", () => {
  let store: SqlTokenStore;
  let server: Tessera<TestUser>;
  let operator: Tessera<TestUser>;
  const users = new Map<string, TestUser>();
  let options: TesseraOptions<TestUser>;
  before(async () => {
    store = await openTokenStore("sqlite::memory:");
    await store.migrate();
    users.set("7", { id: "7", username: "ops", passwordHash: await passwordHasher.hash("a fine passphrase") });
    options = {
      store,
      issuer: "http://test",
      audience: "tessera",
      passwordHasher,
      users: { findForLogin: (username) => [...users.values()].find((user) => user.username.toLowerCase() === username.toLowerCase()) },
    };
    server = await createTessera({ ...options, revocationPollIntervalMs: 100, keyReloadIntervalMs: 100 });
    operator = await createTessera({ ...options, revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 });
  });
  after(async () => {
    await server.close();
    await operator.close();
    await store.close();
  });

  const accepted = async (tessera: Tessera<TestUser>, token: string) => (await tessera.verify(token)).ok;

  void it("a session revoked elsewhere is refused by a running service within the poll interval", async () => {
    const pair = await server.startSession("7", { scope: "posts:read" });
    assert.equal(await accepted(server, pair.accessToken), true);
    await operator.sessions.revokeAll("7");
    assert.ok(await until(async () => !(await accepted(server, pair.accessToken)), 2_000), "revocation picked up");
    const result = await server.verify(pair.accessToken);
    assert.equal(result.ok ? "ok" : result.code, "token_revoked");
  });

  void it("revoking everything of a user kills what was issued before, not a login right after", async () => {
    let now = Date.UTC(2026, 10, 27, 12, 0, 0, 100);
    const service = await createTessera({ ...options, clock: { now: () => now }, revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 });
    try {
      const before = await service.startSession("leaver", { scope: "posts:read" });
      now += 300;
      await service.revokeUser("leaver");
      // Same second as the cut-off, and even the same millisecond.
      const after = await service.startSession("leaver", { scope: "posts:read" });
      const refused = await service.verify(before.accessToken);
      assert.equal(refused.ok ? "ok" : refused.code, "token_revoked");
      const fresh = await service.verify(after.accessToken);
      assert.equal(fresh.ok ? "ok" : fresh.code, "ok");
    } finally {
      await service.close();
    }
  });

  void it("a revocation stamped by a clock running behind is still picked up", async () => {
    const lagging = await createTessera({ ...options, clock: { now: () => Date.now() - 8_000 }, revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 });
    try {
      const pair = await server.startSession("7", { scope: "posts:read" });
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the server poll past the stamp
      assert.ok(await lagging.sessions.revoke("7", pair.sessionId));
      assert.ok(await until(async () => !(await accepted(server, pair.accessToken)), 2_000), "revocation picked up despite skew");
    } finally {
      await lagging.close();
    }
  });

  void it("a key rotated elsewhere is picked up: tokens it signs verify, old tokens still verify", async () => {
    const before = await server.startSession("7", { scope: "posts:read" });
    const oldKid = signingKid(server);
    const rotated = await operator.keys.rotate();
    assert.notEqual(rotated.kid, oldKid);
    assert.ok(await until(() => Promise.resolve(signingKid(server) === rotated.kid), 2_000), "server signs with the new key");
    const after = await server.startSession("7", { scope: "posts:read" });
    assert.equal(await accepted(operator, after.accessToken), true, "the other side reloads on an unknown kid");
    assert.equal(await accepted(server, before.accessToken), true, "tokens of the retired key still verify");
  });

  void it("an unknown user costs a dummy verification and answers like a wrong password", async () => {
    assert.deepEqual(await server.checkPassword("nobody", "a fine passphrase"), { ok: false, code: "credentials_invalid" });
    assert.deepEqual(await server.checkPassword("ops", "not the passphrase"), { ok: false, code: "credentials_invalid" });
    assert.equal((await server.checkPassword("OPS", "a fine passphrase")).ok, true);
    // No stored username holds NUL (PostgreSQL could not even compare one): unknown, not a fault.
    assert.deepEqual(await server.checkPassword("o\u0000ps", "a fine passphrase"), { ok: false, code: "credentials_invalid" });
  });
});

void describe("first start", () => {
  void it("services starting together on an empty store agree on one signing key", async () => {
    const store = await openTokenStore("sqlite::memory:");
    await store.migrate();
    const options = { store, issuer: "http://test", audience: "tessera", revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 };
    const services = await Promise.all([createTessera(options), createTessera(options), createTessera(options)]);
    try {
      const kids = new Set(services.map((service) => createKeyRing(service.keys.records()).signingKey?.kid));
      assert.equal(kids.size, 1, "one key");
      assert.equal((await store.listSigningKeys()).length, 1);
    } finally {
      for (const service of services) await service.close();
      await store.close();
    }
  });
});

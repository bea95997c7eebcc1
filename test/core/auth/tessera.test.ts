import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Tessera } from "../../../src/core/auth/tessera.js";
import { createPasswordHasher } from "../../../src/core/passwords/index.js";
import type { UserRecord } from "../../../src/core/store.js";
import { openSqlStore, type SqlStore } from "../../../src/stores/index.js";

const until = async (check: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
};

// Two Tessera services over one store stand for two processes (two instances, or a server and the CLI).
describe("Tessera across processes sharing a store", () => {
  let store: SqlStore;
  let server: Tessera;
  let operator: Tessera;
  let user: UserRecord;
  const passwordHasher = createPasswordHasher({ memoryCost: 8192, timeCost: 1 });
  before(async () => {
    store = await openSqlStore("sqlite::memory:");
    await store.migrate();
    const options = { store: store.auth, issuer: "http://test", audience: "tessera", passwordHasher };
    server = await Tessera.create({ ...options, revocationPollIntervalMs: 100, keyReloadIntervalMs: 100 });
    operator = await Tessera.create({ ...options, revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 });
    user = (await store.auth.createUser({ username: "ops", passwordHash: await passwordHasher.hash("a fine passphrase"), now: Date.now() }))!;
  });
  after(async () => {
    await server.close();
    await operator.close();
    await store.close();
  });

  it("a session revoked elsewhere is refused by a running service within the poll interval", async () => {
    const pair = await server.startSession(user, { scope: "posts:read" });
    assert.equal(server.authenticateAccessToken(pair.accessToken).ok, true);
    await operator.revokeUserSessions(user.id);
    assert.ok(await until(() => !server.authenticateAccessToken(pair.accessToken).ok, 2_000), "revocation picked up");
    const result = server.authenticateAccessToken(pair.accessToken);
    assert.equal(result.ok ? "ok" : result.code, "token_revoked");
  });

  it("revoking everything of a user kills what was issued before, not a login right after", async () => {
    let now = Date.UTC(2026, 10, 27, 12, 0, 0, 100);
    const service = await Tessera.create({
      store: store.auth,
      issuer: "http://test",
      audience: "tessera",
      passwordHasher,
      clock: { now: () => now },
      revocationPollIntervalMs: 0,
      keyReloadIntervalMs: 0,
    });
    // Its own user: the fake clock's cut-off may lie in the real clock's future.
    const leaver = (await store.auth.createUser({ username: "leaver", passwordHash: await passwordHasher.hash("a fine passphrase"), now }))!;
    try {
      const before = await service.startSession(leaver, { scope: "posts:read" });
      now += 300;
      await service.revokeEverythingOfUser(leaver.id);
      // Same second as the cut-off, and even the same millisecond.
      const after = await service.startSession(leaver, { scope: "posts:read" });
      const refused = service.authenticateAccessToken(before.accessToken);
      assert.equal(refused.ok ? "ok" : refused.code, "token_revoked");
      const accepted = service.authenticateAccessToken(after.accessToken);
      assert.equal(accepted.ok ? "ok" : accepted.code, "ok");
    } finally {
      await service.close();
    }
  });

  it("a revocation stamped by a clock running behind is still picked up", async () => {
    const lagging = await Tessera.create({
      store: store.auth,
      issuer: "http://test",
      audience: "tessera",
      passwordHasher,
      clock: { now: () => Date.now() - 8_000 },
      revocationPollIntervalMs: 0,
      keyReloadIntervalMs: 0,
    });
    try {
      const pair = await server.startSession(user, { scope: "posts:read" });
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the server poll past the stamp
      await lagging.revokeSession(pair.sessionId);
      assert.ok(await until(() => !server.authenticateAccessToken(pair.accessToken).ok, 2_000), "revocation picked up despite skew");
    } finally {
      await lagging.close();
    }
  });

  it("a key rotated elsewhere is picked up: tokens it signs verify, old tokens still verify", async () => {
    const before = await server.startSession(user, { scope: "posts:read" });
    const oldKid = server.keys.ring.signingKey?.kid;
    const rotated = await operator.keys.rotate();
    assert.notEqual(rotated.kid, oldKid);
    assert.ok(await until(() => server.keys.ring.signingKey?.kid === rotated.kid, 2_000), "server signs with the new key");
    const after = await server.startSession(user, { scope: "posts:read" });
    assert.equal((await operator.authenticate(after.accessToken)).ok, true, "the other side reloads on an unknown kid");
    assert.equal((await server.authenticate(before.accessToken)).ok, true, "tokens of the retired key still verify");
  });

  it("an unknown user costs a dummy verification and answers like a wrong password", async () => {
    const unknown = await server.verifyCredentials("nobody", "a fine passphrase");
    const wrong = await server.verifyCredentials("ops", "not the passphrase");
    assert.deepEqual(unknown, { ok: false, code: "credentials_invalid" });
    assert.deepEqual(wrong, { ok: false, code: "credentials_invalid" });
    assert.equal((await server.verifyCredentials("OPS", "a fine passphrase")).ok, true);
    // No stored username holds NUL (PostgreSQL could not even compare one): unknown, not a fault.
    assert.deepEqual(await server.verifyCredentials("o\u0000ps", "a fine passphrase"), { ok: false, code: "credentials_invalid" });
  });
});

describe("first start", () => {
  it("services starting together on an empty store agree on one signing key", async () => {
    const store = await openSqlStore("sqlite::memory:");
    await store.migrate();
    const options = { store: store.auth, issuer: "http://test", audience: "tessera", revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 };
    const services = await Promise.all([Tessera.create(options), Tessera.create(options), Tessera.create(options)]);
    try {
      const kids = new Set(services.map((service) => service.keys.ring.signingKey?.kid));
      assert.equal(kids.size, 1, "one key");
      assert.equal((await store.auth.listSigningKeys()).length, 1);
    } finally {
      for (const service of services) await service.close();
      await store.close();
    }
  });
});

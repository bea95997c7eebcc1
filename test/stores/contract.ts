// The AuthStore contract: every backend runs these tests unchanged. They use only the
// AuthStore interface, so a new backend passes by behaving, not by sharing code.
import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import type { AuthStore, NewSession, UserRecord } from "../../src/core/token-store.js";

/** A fresh, empty, migrated store and how to dispose of it. */
export interface ContractStore {
  store: AuthStore;
  cleanup(): Promise<void>;
}

// Past 2^31 on purpose: times are BIGINT epoch milliseconds.
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function hashOf(label: string): string {
  return createHash("sha256").update(label).update(randomBytes(8)).digest("hex");
}

async function addUser(store: AuthStore, username: string): Promise<UserRecord> {
  const user = await store.createUser({ username, passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", now: T0 });
  assert.ok(user, `createUser(${username}) returned null`);
  return user;
}

function newSession(userId: number, overrides: Partial<NewSession> = {}): NewSession {
  return {
    userId,
    scope: "users:read posts:read",
    userAgent: "contract-test",
    ip: "127.0.0.1",
    now: T0,
    refreshTokenHash: hashOf("refresh"),
    refreshExpiresAt: T0 + 24 * HOUR,
    ...overrides,
  };
}

/**
 * Defines the AuthStore contract tests under `describe(name)`. `makeStore` is called
 * once per test and must return an empty, migrated store.
 *
 * @example
 * runAuthStoreContract("sqlite :memory:", async () => {
 *   const sql = await openSqlStore("sqlite::memory:");
 *   await sql.migrate();
 *   return { store: sql.auth, cleanup: () => sql.close() };
 * });
 */
export function runAuthStoreContract(name: string, makeStore: () => Promise<ContractStore>): void {
  async function withStore(run: (store: AuthStore) => Promise<void>): Promise<void> {
    const { store, cleanup } = await makeStore();
    try {
      await run(store);
    } finally {
      await cleanup();
    }
  }

  void describe(`AuthStore contract: ${name}`, () => {
    void describe("users", () => {
      void test("createUser stores every field and fills the defaults", () =>
        withStore(async (store) => {
          const plain = await addUser(store, "plain");
          assert.equal(plain.username, "plain");
          assert.equal(plain.email, null);
          assert.equal(plain.aboutMe, null);
          assert.equal(plain.isAdmin, false);
          assert.equal(plain.createdAt, T0);
          assert.equal(plain.lastSeenAt, null);
          assert.equal(typeof plain.id, "number");

          const full = await store.createUser({
            username: "Full.Name-1",
            passwordHash: "phc",
            email: "full@example.test",
            aboutMe: "about",
            isAdmin: true,
            now: T0 + 1,
          });
          assert.deepEqual(full, {
            id: full?.id,
            username: "Full.Name-1",
            email: "full@example.test",
            aboutMe: "about",
            passwordHash: "phc",
            isAdmin: true,
            createdAt: T0 + 1,
            lastSeenAt: null,
          });
          assert.notEqual(full?.id, plain.id);
          assert.deepEqual(await store.getUserById(plain.id), plain);
        }));

      void test("usernames are unique case-insensitively and looked up case-insensitively", () =>
        withStore(async (store) => {
          const alice = await addUser(store, "Alice");
          assert.equal(await store.createUser({ username: "alice", passwordHash: "x", now: T0 }), null);
          assert.equal(await store.createUser({ username: "ALICE", passwordHash: "x", now: T0 }), null);
          const found = await store.getUserByUsername("aLiCe");
          assert.equal(found?.id, alice.id);
          assert.equal(found?.username, "Alice", "the original spelling is kept");
          assert.equal((await store.listUsers({ offset: 0, limit: 10 })).total, 1);
        }));

      void test("unknown users are null", () =>
        withStore(async (store) => {
          assert.equal(await store.getUserById(987654), null);
          assert.equal(await store.getUserByUsername("nobody"), null);
          assert.equal(await store.updateUser(987654, { email: "x@example.test" }), null);
          assert.equal(await store.deleteUser(987654), false);
        }));

      void test("updateUser patches fields and reports a taken username", () =>
        withStore(async (store) => {
          const alice = await addUser(store, "alice");
          const bob = await addUser(store, "bob");

          const patched = await store.updateUser(alice.id, { email: "a@example.test", aboutMe: "hi" });
          assert.ok(patched !== null && patched !== "taken");
          assert.equal(patched.email, "a@example.test");
          assert.equal(patched.aboutMe, "hi");
          assert.equal(patched.username, "alice");

          const cleared = await store.updateUser(alice.id, { email: null });
          assert.ok(cleared !== null && cleared !== "taken");
          assert.equal(cleared.email, null);
          assert.equal(cleared.aboutMe, "hi", "fields absent from the patch stay");

          assert.equal(await store.updateUser(alice.id, { username: "BOB" }), "taken");
          assert.equal((await store.getUserById(alice.id))?.username, "alice", "a taken rename changes nothing");

          const recased = await store.updateUser(alice.id, { username: "ALICE" });
          assert.ok(recased !== null && recased !== "taken", "changing only the case of one's own name is allowed");
          assert.equal(recased.username, "ALICE");
          assert.equal((await store.getUserByUsername("alice"))?.id, alice.id);

          const renamed = await store.updateUser(alice.id, { username: "carol" });
          assert.ok(renamed !== null && renamed !== "taken");
          assert.equal(await store.getUserByUsername("alice"), null, "the old name is free again");
          assert.ok(await store.createUser({ username: "Alice", passwordHash: "x", now: T0 }));

          const unchanged = await store.updateUser(bob.id, {});
          assert.deepEqual(unchanged, bob, "an empty patch returns the user as is");
        }));

      void test("setPasswordHash and touchUser write their column only", () =>
        withStore(async (store) => {
          const user = await addUser(store, "dave");
          await store.setPasswordHash(user.id, "new-phc");
          await store.touchUser(user.id, T0 + HOUR);
          assert.deepEqual(await store.getUserById(user.id), {
            ...user,
            passwordHash: "new-phc",
            lastSeenAt: T0 + HOUR,
          });
        }));

      void test("listUsers pages in id order with the total", () =>
        withStore(async (store) => {
          const users: UserRecord[] = [];
          for (const username of ["u1", "u2", "u3", "u4", "u5"]) users.push(await addUser(store, username));
          const page = await store.listUsers({ offset: 1, limit: 2 });
          assert.equal(page.total, 5);
          assert.deepEqual(
            page.items.map((user) => user.username),
            ["u2", "u3"],
          );
          const tail = await store.listUsers({ offset: 4, limit: 10 });
          assert.deepEqual(
            tail.items.map((user) => user.id),
            [users[4]?.id],
          );
          assert.deepEqual((await store.listUsers({ offset: 10, limit: 10 })).items, []);
        }));

      void test("deleteUser removes the user's sessions, refresh tokens and personal access tokens", () =>
        withStore(async (store) => {
          const doomed = await addUser(store, "doomed");
          const other = await addUser(store, "other");
          const doomedSession = newSession(doomed.id);
          const otherSession = newSession(other.id);
          const session = await store.createSession(doomedSession);
          const kept = await store.createSession(otherSession);
          const patHash = hashOf("pat");
          const otherPatHash = hashOf("pat");
          const pat = { name: "ci", scope: "posts:read", now: T0, expiresAt: null };
          await store.createPersonalAccessToken({ ...pat, userId: doomed.id, tokenHash: patHash });
          await store.createPersonalAccessToken({ ...pat, userId: other.id, tokenHash: otherPatHash });

          assert.equal(await store.deleteUser(doomed.id), true);
          assert.equal(await store.getUserById(doomed.id), null);
          assert.equal(await store.getSession(session.id), null);
          assert.equal(await store.getRefreshToken(doomedSession.refreshTokenHash), null);
          assert.equal(await store.getPersonalAccessTokenByHash(patHash), null);
          assert.deepEqual(await store.listSessions(doomed.id), []);
          assert.equal(await store.deleteUser(doomed.id), false, "a second delete finds nothing");

          assert.deepEqual(await store.getSession(kept.id), kept, "other users keep their data");
          assert.ok(await store.getRefreshToken(otherSession.refreshTokenHash));
          assert.ok(await store.getPersonalAccessTokenByHash(otherPatHash));
        }));
    });

    void describe("sessions and refresh chains", () => {
      void test("createSession stores the session and the first link of its chain", () =>
        withStore(async (store) => {
          const user = await addUser(store, "erin");
          const input = newSession(user.id);
          const session = await store.createSession(input);
          assert.deepEqual(session, {
            id: session.id,
            userId: user.id,
            scope: input.scope,
            userAgent: input.userAgent,
            ip: input.ip,
            createdAt: T0,
            lastUsedAt: T0,
            revokedAt: null,
          });
          assert.deepEqual(await store.getSession(session.id), session);
          assert.deepEqual(await store.getRefreshToken(input.refreshTokenHash), {
            tokenHash: input.refreshTokenHash,
            sessionId: session.id,
            userId: user.id,
            createdAt: T0,
            expiresAt: input.refreshExpiresAt,
            spentAt: null,
            sessionRevoked: false,
          });
          const anonymous = await store.createSession(newSession(user.id, { userAgent: null, ip: null }));
          assert.equal(anonymous.userAgent, null);
          assert.equal(anonymous.ip, null);
          assert.equal(await store.getSession(987654), null);
          assert.equal(await store.getRefreshToken(hashOf("unknown")), null);
        }));

      void test("listSessions returns live sessions only, newest first", () =>
        withStore(async (store) => {
          const user = await addUser(store, "frank");
          const other = await addUser(store, "grace");
          const first = await store.createSession(newSession(user.id, { now: T0 }));
          const second = await store.createSession(newSession(user.id, { now: T0 + 1000 }));
          const third = await store.createSession(newSession(user.id, { now: T0 + 2000 }));
          await store.createSession(newSession(other.id));
          assert.equal(await store.revokeSession(second.id, T0 + 3000), true);
          assert.deepEqual(
            (await store.listSessions(user.id)).map((session) => session.id),
            [third.id, first.id],
          );
        }));

      void test("touchSession moves lastUsedAt", () =>
        withStore(async (store) => {
          const user = await addUser(store, "heidi");
          const session = await store.createSession(newSession(user.id));
          await store.touchSession(session.id, T0 + HOUR);
          assert.equal((await store.getSession(session.id))?.lastUsedAt, T0 + HOUR);
        }));

      void test("revokeSession revokes once and marks its refresh tokens", () =>
        withStore(async (store) => {
          const user = await addUser(store, "ivan");
          const input = newSession(user.id);
          const session = await store.createSession(input);
          assert.equal(await store.revokeSession(session.id, T0 + 5), true);
          assert.equal(await store.revokeSession(session.id, T0 + 6), false, "already revoked");
          assert.equal(await store.revokeSession(987654, T0), false, "does not exist");
          assert.equal((await store.getSession(session.id))?.revokedAt, T0 + 5);
          assert.equal((await store.getRefreshToken(input.refreshTokenHash))?.sessionRevoked, true);
        }));

      void test("revokeUserSessions revokes every live session except the one kept", () =>
        withStore(async (store) => {
          const user = await addUser(store, "judy");
          const other = await addUser(store, "ken");
          const a = await store.createSession(newSession(user.id));
          const b = await store.createSession(newSession(user.id));
          const c = await store.createSession(newSession(user.id));
          const dead = await store.createSession(newSession(user.id));
          const foreign = await store.createSession(newSession(other.id));
          await store.revokeSession(dead.id, T0 + 1);

          const revoked = await store.revokeUserSessions(user.id, T0 + 2, { exceptSessionId: b.id });
          assert.deepEqual(
            [...revoked].sort((x, y) => x - y),
            [a.id, c.id].sort((x, y) => x - y),
          );
          assert.deepEqual(
            (await store.listSessions(user.id)).map((session) => session.id),
            [b.id],
          );
          assert.equal((await store.getSession(dead.id))?.revokedAt, T0 + 1, "an earlier revocation keeps its time");
          assert.equal((await store.getSession(foreign.id))?.revokedAt, null, "other users are untouched");

          assert.deepEqual(await store.revokeUserSessions(user.id, T0 + 3), [b.id]);
          assert.deepEqual(await store.listSessions(user.id), []);
          assert.deepEqual(await store.revokeUserSessions(user.id, T0 + 4), []);
        }));

      void test("rotateRefreshToken spends the old link once and appends the successor", () =>
        withStore(async (store) => {
          const user = await addUser(store, "leo");
          const input = newSession(user.id);
          const session = await store.createSession(input);
          const next = hashOf("next");
          const rotation = { oldHash: input.refreshTokenHash, newHash: next, now: T0 + 10, newExpiresAt: T0 + 48 * HOUR };
          assert.equal(await store.rotateRefreshToken(rotation), true);

          assert.equal((await store.getRefreshToken(input.refreshTokenHash))?.spentAt, T0 + 10);
          assert.deepEqual(await store.getRefreshToken(next), {
            tokenHash: next,
            sessionId: session.id,
            userId: user.id,
            createdAt: T0 + 10,
            expiresAt: T0 + 48 * HOUR,
            spentAt: null,
            sessionRevoked: false,
          });

          const replay = { ...rotation, newHash: hashOf("replay"), now: T0 + 20 };
          assert.equal(await store.rotateRefreshToken(replay), false, "a spent link cannot be spent again");
          assert.equal(await store.getRefreshToken(replay.newHash), null);
          assert.equal((await store.getRefreshToken(input.refreshTokenHash))?.spentAt, T0 + 10);

          const unknown = { ...rotation, oldHash: hashOf("unknown"), newHash: hashOf("orphan") };
          assert.equal(await store.rotateRefreshToken(unknown), false);
          assert.equal(await store.getRefreshToken(unknown.newHash), null);

          const third = hashOf("third");
          assert.equal(
            await store.rotateRefreshToken({ oldHash: next, newHash: third, now: T0 + 30, newExpiresAt: T0 + 72 * HOUR }),
            true,
            "the chain goes on from its live end",
          );
        }));

      void test("deleteExpiredSessions drops expired refresh tokens and the sessions left without one", () =>
        withStore(async (store) => {
          const user = await addUser(store, "olga");
          const shortLived = newSession(user.id, { refreshExpiresAt: T0 + HOUR });
          const longLived = newSession(user.id, { refreshExpiresAt: T0 + 48 * HOUR });
          const gone = await store.createSession(shortLived);
          const kept = await store.createSession(longLived);
          assert.equal(await store.deleteExpiredSessions(T0 + 30 * 60_000), 0, "nothing has expired yet");
          assert.equal(await store.deleteExpiredSessions(T0 + 2 * HOUR), 1);
          assert.equal(await store.getSession(gone.id), null);
          assert.equal(await store.getRefreshToken(shortLived.refreshTokenHash), null);
          assert.deepEqual((await store.listSessions(user.id)).map((session) => session.id), [kept.id]);
          assert.equal((await store.getRefreshToken(longLived.refreshTokenHash))?.sessionId, kept.id);
        }));

      void test("rotateRefreshToken fails when the session is revoked", () =>
        withStore(async (store) => {
          const user = await addUser(store, "mallory");
          const input = newSession(user.id);
          const session = await store.createSession(input);
          await store.revokeSession(session.id, T0 + 1);
          const newHash = hashOf("after-revoke");
          assert.equal(
            await store.rotateRefreshToken({ oldHash: input.refreshTokenHash, newHash, now: T0 + 2, newExpiresAt: T0 + HOUR }),
            false,
          );
          assert.equal(await store.getRefreshToken(newHash), null);
          assert.equal((await store.getRefreshToken(input.refreshTokenHash))?.spentAt, null, "nothing was spent");
        }));

      void test("exactly one of 50 concurrent rotations of one token wins", () =>
        withStore(async (store) => {
          const user = await addUser(store, "niaj");
          const input = newSession(user.id);
          await store.createSession(input);
          const candidates = Array.from({ length: 50 }, (_, index) => hashOf(`candidate-${index}`));
          const outcomes = await Promise.all(
            candidates.map((newHash) =>
              store.rotateRefreshToken({ oldHash: input.refreshTokenHash, newHash, now: T0 + 1, newExpiresAt: T0 + HOUR }),
            ),
          );
          assert.equal(outcomes.filter((won) => won).length, 1, "exactly one call returns true");
          const successors = await Promise.all(candidates.map((hash) => store.getRefreshToken(hash)));
          const stored = successors.filter((record) => record !== null);
          assert.equal(stored.length, 1, "exactly one successor row exists");
          assert.equal(stored[0]?.tokenHash, candidates[outcomes.indexOf(true)], "the winner's successor is the one stored");
        }));
    });

    void describe("personal access tokens", () => {
      void test("create, look up by hash, list, touch and revoke", () =>
        withStore(async (store) => {
          const user = await addUser(store, "olivia");
          const other = await addUser(store, "peggy");
          const firstHash = hashOf("pat-1");
          const first = await store.createPersonalAccessToken({
            userId: user.id,
            name: "laptop",
            scope: "posts:read",
            tokenHash: firstHash,
            now: T0,
            expiresAt: T0 + 30 * 24 * HOUR,
          });
          assert.deepEqual(first, {
            id: first.id,
            userId: user.id,
            name: "laptop",
            scope: "posts:read",
            tokenHash: firstHash,
            createdAt: T0,
            expiresAt: T0 + 30 * 24 * HOUR,
            lastUsedAt: null,
            revokedAt: null,
          });
          const second = await store.createPersonalAccessToken({
            userId: user.id,
            name: "ci",
            scope: "posts:read posts:write",
            tokenHash: hashOf("pat-2"),
            now: T0 + 1000,
            expiresAt: null,
          });
          assert.equal(second.expiresAt, null);
          await store.createPersonalAccessToken({
            userId: other.id,
            name: "theirs",
            scope: "posts:read",
            tokenHash: hashOf("pat-3"),
            now: T0,
            expiresAt: null,
          });

          assert.deepEqual(await store.getPersonalAccessTokenByHash(firstHash), first);
          assert.equal(await store.getPersonalAccessTokenByHash(hashOf("unknown")), null);
          assert.deepEqual(
            (await store.listPersonalAccessTokens(user.id)).map((token) => token.id),
            [second.id, first.id],
            "newest first, only the user's",
          );

          await store.touchPersonalAccessToken(first.id, T0 + HOUR);
          assert.equal((await store.getPersonalAccessTokenByHash(firstHash))?.lastUsedAt, T0 + HOUR);

          assert.equal(await store.revokePersonalAccessToken(other.id, first.id, T0 + 2), null, "not theirs to revoke");
          const revoked = await store.revokePersonalAccessToken(user.id, first.id, T0 + 3);
          assert.equal(revoked?.id, first.id);
          assert.equal(revoked?.revokedAt, T0 + 3);
          assert.equal(await store.revokePersonalAccessToken(user.id, first.id, T0 + 4), null, "already revoked");
          assert.equal(await store.revokePersonalAccessToken(user.id, 987654, T0 + 4), null, "does not exist");
          assert.equal(
            (await store.getPersonalAccessTokenByHash(firstHash))?.revokedAt,
            T0 + 3,
            "a revoked token is still found by hash, marked revoked",
          );
          assert.deepEqual(
            (await store.listPersonalAccessTokens(user.id)).map((token) => token.id),
            [second.id],
          );
        }));
    });

    void describe("signing keys", () => {
      const key = (kid: string, createdAt: number) => ({
        kid,
        alg: "EdDSA",
        privateJwk: JSON.stringify({ kty: "OKP", crv: "Ed25519", kid }),
        publicJwk: JSON.stringify({ kty: "OKP", crv: "Ed25519", kid, x: "public" }),
        createdAt,
        retiredAt: null,
        expiresAt: null,
      });

      void test("insert, refuse a duplicate kid, retire and drop expired keys", () =>
        withStore(async (store) => {
          assert.deepEqual(await store.listSigningKeys(), []);
          const old = key("k-old", T0);
          const current = key("k-new", T0 + HOUR);
          const symmetric = { ...key("k-hs", T0 + 2 * HOUR), alg: "HS256", publicJwk: null };
          assert.equal(await store.insertSigningKey(old), true);
          assert.equal(await store.insertSigningKey(current), true);
          assert.equal(await store.insertSigningKey(symmetric), true);
          assert.equal(await store.insertSigningKey({ ...old, alg: "ES256", createdAt: T0 + 5 }), false);

          const byKid = (keys: { kid: string }[]) => [...keys].sort((a, b) => a.kid.localeCompare(b.kid));
          assert.deepEqual(byKid(await store.listSigningKeys()), byKid([old, current, symmetric]), "the first insert is kept");

          await store.retireSigningKey("k-old", T0 + HOUR, T0 + 3 * HOUR);
          const retired = (await store.listSigningKeys()).find((k) => k.kid === "k-old");
          assert.equal(retired?.retiredAt, T0 + HOUR);
          assert.equal(retired?.expiresAt, T0 + 3 * HOUR);

          assert.equal(await store.deleteExpiredSigningKeys(T0 + 3 * HOUR - 1), 0, "not expired yet");
          assert.equal(await store.deleteExpiredSigningKeys(T0 + 3 * HOUR), 1);
          assert.deepEqual(
            (await store.listSigningKeys()).map((k) => k.kid).sort(),
            ["k-hs", "k-new"],
            "keys without an expiry are never dropped",
          );
        }));
    });

    void describe("revocations", () => {
      void test("list live entries, filter by since, delete expired", () =>
        withStore(async (store) => {
          const jti = { kind: "jti", value: "jti-1", revokedAt: T0, expiresAt: T0 + HOUR } as const;
          const sid = { kind: "sid", value: "42", revokedAt: T0 + 10, expiresAt: T0 + 2 * HOUR } as const;
          const user = { kind: "user", value: "7", revokedAt: T0 + 20, expiresAt: T0 + 3 * HOUR } as const;
          const pat = { kind: "pat", value: "9", revokedAt: T0 + 30, expiresAt: T0 + 10 } as const;
          for (const entry of [jti, sid, user, pat]) await store.addRevocation(entry);

          const sortByValue = <T extends { value: string }>(list: T[]) =>
            [...list].sort((a, b) => a.value.localeCompare(b.value));
          assert.deepEqual(
            sortByValue(await store.listRevocations({ now: T0 + 10 })),
            sortByValue([jti, sid, user]),
            "an entry whose expiresAt is now is gone",
          );
          assert.deepEqual(
            sortByValue(await store.listRevocations({ now: T0 + 10, since: T0 + 10 })),
            sortByValue([sid, user]),
            "since is inclusive",
          );
          assert.deepEqual(await store.listRevocations({ now: T0 + 3 * HOUR }), []);

          assert.equal(await store.deleteExpiredRevocations(T0 + HOUR), 2);
          assert.deepEqual(
            sortByValue(await store.listRevocations({ now: T0 })),
            sortByValue([sid, user]),
          );
        }));

      void test("revoking the same value again keeps the later cut-off live", () =>
        withStore(async (store) => {
          await store.addRevocation({ kind: "user", value: "7", revokedAt: T0, expiresAt: T0 + HOUR });
          await store.addRevocation({ kind: "user", value: "7", revokedAt: T0 + 50, expiresAt: T0 + 2 * HOUR });
          const live = await store.listRevocations({ now: T0 + 60, since: T0 + 50 });
          assert.ok(
            live.some((entry) => entry.kind === "user" && entry.value === "7" && entry.revokedAt === T0 + 50),
            "the later revocation is listed",
          );
        }));
    });

    void describe("secrets", () => {
      void test("getOrCreateSecret creates once and then returns the stored value", () =>
        withStore(async (store) => {
          let calls = 0;
          const first = await store.getOrCreateSecret("refresh-key", () => {
            calls += 1;
            return "value-1";
          });
          assert.equal(first, "value-1");
          const again = await store.getOrCreateSecret("refresh-key", () => {
            calls += 1;
            return "value-2";
          });
          assert.equal(again, "value-1");
          assert.equal(calls, 1, "create is not called once the secret exists");
          assert.equal(await store.getOrCreateSecret("other", () => "value-3"), "value-3", "names are independent");
        }));

      void test("concurrent getOrCreateSecret calls all get the first writer's value", () =>
        withStore(async (store) => {
          const proposals = Array.from({ length: 10 }, (_, index) => `proposal-${index}`);
          const results = await Promise.all(proposals.map((value) => store.getOrCreateSecret("shared", () => value)));
          const winner = results[0];
          assert.ok(winner !== undefined && proposals.includes(winner));
          assert.deepEqual(results, proposals.map(() => winner));
        }));
    });

    void test("ping resolves", () =>
      withStore(async (store) => {
        await store.ping();
      }));
  });
}

// The TokenStore contract: every backend runs these tests unchanged. They use only the
// TokenStore interface, so a new backend passes by behaving, not by sharing code.
import * as assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { checkAuditChain, hashAuditEvent } from "../../src/core/audit-chain.js";
import type { NewAuditEvent, NewSession, NewStoredToken, RevocationRecord, SigningKeyRecord, TokenStore } from "../../src/core/token-store.js";

/** A fresh, empty, migrated store and how to dispose of it. */
export interface ContractTokenStore {
  store: TokenStore;
  cleanup(): Promise<void>;
}

// Past 2^31 on purpose: times are BIGINT epoch milliseconds.
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function hashOf(label: string): string {
  return createHash("sha256").update(label).update(randomBytes(8)).digest("hex");
}

/** The app owns its users; the store sees opaque string ids, here UUIDs. */
function newUserId(): string {
  return randomUUID();
}

function newSession(userId: string, overrides: Partial<NewSession> = {}): NewSession {
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

function newToken(userId: string, overrides: Partial<NewStoredToken> = {}): NewStoredToken {
  return {
    kind: "pat",
    userId,
    name: "laptop",
    scope: "posts:read",
    tokenHash: hashOf("token"),
    now: T0,
    expiresAt: null,
    ...overrides,
  };
}

function signingKey(kid: string, createdAt: number): SigningKeyRecord {
  return {
    kid,
    alg: "EdDSA",
    privateJwk: JSON.stringify({ kty: "OKP", crv: "Ed25519", kid }),
    publicJwk: JSON.stringify({ kty: "OKP", crv: "Ed25519", kid, x: "public" }),
    createdAt,
    retiredAt: null,
    expiresAt: null,
  };
}

const ascending = (ids: number[]): number[] => [...ids].sort((a, b) => a - b);

/**
 * Defines the TokenStore contract tests under `describe(name)`. `makeStore` is called once per
 * test and must return an empty, migrated store.
 *
 * @example
 * runTokenStoreContract("sqlite :memory:", async () => {
 *   const store = await openTokenStore("sqlite::memory:");
 *   await store.migrate();
 *   return { store, cleanup: () => store.close() };
 * });
 */
export function runTokenStoreContract(name: string, makeStore: () => Promise<ContractTokenStore>): void {
  async function withStore(run: (store: TokenStore) => Promise<void>): Promise<void> {
    const { store, cleanup } = await makeStore();
    try {
      await run(store);
    } finally {
      await cleanup();
    }
  }

  void describe(`TokenStore contract: ${name}`, () => {
    void describe("sessions and refresh chains", () => {
      void test("createSession stores the session and the first link of its chain", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const input = newSession(userId);
          const session = await store.createSession(input);
          assert.deepEqual(session, {
            id: session.id,
            userId,
            scope: input.scope,
            userAgent: input.userAgent,
            ip: input.ip,
            createdAt: T0,
            lastUsedAt: T0,
            revokedAt: null,
          });
          assert.equal(typeof session.id, "number");
          assert.deepEqual(await store.getSession(session.id), session);
          assert.deepEqual(await store.getRefreshToken(input.refreshTokenHash), {
            tokenHash: input.refreshTokenHash,
            sessionId: session.id,
            userId,
            createdAt: T0,
            expiresAt: input.refreshExpiresAt,
            spentAt: null,
            sessionRevoked: false,
          });
          const anonymous = await store.createSession(newSession(userId, { userAgent: null, ip: null }));
          assert.equal(anonymous.userAgent, null);
          assert.equal(anonymous.ip, null);
          assert.notEqual(anonymous.id, session.id);
          assert.equal(await store.getSession(987654), null);
          assert.equal(await store.getRefreshToken(hashOf("unknown")), null);
        }));

      void test("user ids are opaque strings, compared exactly", () =>
        withStore(async (store) => {
          const ids = ["42", "042", "alice@example.test", "Alice@example.test", newUserId()];
          for (const userId of ids) await store.createSession(newSession(userId));
          for (const userId of ids) {
            const sessions = await store.listSessions(userId);
            assert.deepEqual(
              sessions.map((session) => session.userId),
              [userId],
              `only ${userId}'s session`,
            );
          }
        }));

      void test("listSessions returns live sessions only, newest first", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const first = await store.createSession(newSession(userId, { now: T0 }));
          const second = await store.createSession(newSession(userId, { now: T0 + 1000 }));
          const third = await store.createSession(newSession(userId, { now: T0 + 2000 }));
          await store.createSession(newSession(newUserId()));
          assert.deepEqual(await store.revokeSessions({ sessionId: second.id }, T0 + 3000), [second.id]);
          assert.deepEqual(
            (await store.listSessions(userId)).map((session) => session.id),
            [third.id, first.id],
          );
          assert.deepEqual(await store.listSessions(newUserId()), []);
        }));

      void test("touchSession moves lastUsedAt only", () =>
        withStore(async (store) => {
          const session = await store.createSession(newSession(newUserId()));
          await store.touchSession(session.id, T0 + HOUR);
          assert.deepEqual(await store.getSession(session.id), { ...session, lastUsedAt: T0 + HOUR });
        }));

      void test("revokeSessions by id revokes once, optionally only the user's own, and marks its refresh tokens", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const input = newSession(userId);
          const session = await store.createSession(input);
          assert.deepEqual(await store.revokeSessions({ sessionId: session.id, userId: newUserId() }, T0 + 4), [], "not another user's to revoke");
          assert.equal((await store.getSession(session.id))?.revokedAt, null);
          assert.deepEqual(await store.revokeSessions({ sessionId: session.id, userId }, T0 + 5), [session.id]);
          assert.deepEqual(await store.revokeSessions({ sessionId: session.id }, T0 + 6), [], "already revoked");
          assert.deepEqual(await store.revokeSessions({ sessionId: 987654 }, T0), [], "does not exist");
          assert.equal((await store.getSession(session.id))?.revokedAt, T0 + 5, "the first revocation keeps its time");
          assert.equal((await store.getRefreshToken(input.refreshTokenHash))?.sessionRevoked, true);
        }));

      void test("revokeSessions by user revokes every live session, or all but one", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const otherId = newUserId();
          const a = await store.createSession(newSession(userId));
          const b = await store.createSession(newSession(userId));
          const c = await store.createSession(newSession(userId));
          const dead = await store.createSession(newSession(userId));
          const foreign = await store.createSession(newSession(otherId));
          await store.revokeSessions({ sessionId: dead.id }, T0 + 1);

          const revoked = await store.revokeSessions({ userId, exceptSessionId: b.id }, T0 + 2);
          assert.deepEqual(revoked, ascending([a.id, c.id]));
          assert.deepEqual(
            (await store.listSessions(userId)).map((session) => session.id),
            [b.id],
          );
          assert.equal((await store.getSession(dead.id))?.revokedAt, T0 + 1, "an earlier revocation keeps its time");
          assert.equal((await store.getSession(foreign.id))?.revokedAt, null, "other users are untouched");

          assert.deepEqual(await store.revokeSessions({ userId }, T0 + 3), [b.id]);
          assert.deepEqual(await store.listSessions(userId), []);
          assert.deepEqual(await store.revokeSessions({ userId }, T0 + 4), []);
          assert.deepEqual(
            (await store.listSessions(otherId)).map((session) => session.id),
            [foreign.id],
          );
        }));

      // What logout and "log out everywhere" rely on: the entries that refuse the sessions' access
      // tokens are written with the rows, or neither is.
      void test("revokeSessions with entries writes them in the same transaction, or changes nothing", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const session = await store.createSession(newSession(userId));
          const seen: number[][] = [];
          const entriesFor = (ids: readonly number[]): RevocationRecord[] => {
            seen.push([...ids]);
            return ids.map((id) => ({ kind: "sid", value: String(id), revokedAt: T0 + 5, expiresAt: T0 + HOUR, userId }));
          };
          assert.deepEqual(await store.revokeSessions({ sessionId: session.id }, T0 + 5, { entries: entriesFor }), [session.id]);
          assert.deepEqual(seen, [[session.id]], "entries is told what was revoked");
          assert.deepEqual(await store.listRevocations({ now: T0 }), [{ kind: "sid", value: String(session.id), revokedAt: T0 + 5, expiresAt: T0 + HOUR, userId }]);

          // Nothing left to revoke: entries hears so, and what it returns is still written.
          const cutoff: RevocationRecord = { kind: "user", value: userId, revokedAt: T0 + 6, expiresAt: T0 + HOUR };
          assert.deepEqual(await store.revokeSessions({ userId }, T0 + 6, { entries: (ids) => (ids.length === 0 ? [cutoff] : []) }), []);
          assert.ok((await store.listRevocations({ now: T0, since: T0 + 6 })).some((entry) => entry.kind === "user" && entry.value === userId), "the cut-off is written");

          const live = await store.createSession(newSession(userId));
          await assert.rejects(
            store.revokeSessions({ userId }, T0 + 7, {
              entries: () => {
                throw new Error("entries failed");
              },
            }),
            /entries failed/,
          );
          assert.equal((await store.getSession(live.id))?.revokedAt, null, "a failed call leaves the session live");
          assert.deepEqual(await store.listRevocations({ now: T0, since: T0 + 7 }), [], "and writes no entry");
        }));

      void test("rotateRefreshToken spends the old link once and appends the successor", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const input = newSession(userId);
          const session = await store.createSession(input);
          const next = hashOf("next");
          const rotation = { oldHash: input.refreshTokenHash, newHash: next, now: T0 + 10, newExpiresAt: T0 + 48 * HOUR };
          assert.equal(await store.rotateRefreshToken(rotation), true);

          assert.equal((await store.getRefreshToken(input.refreshTokenHash))?.spentAt, T0 + 10);
          assert.deepEqual(await store.getRefreshToken(next), {
            tokenHash: next,
            sessionId: session.id,
            userId,
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

      void test("rotateRefreshToken fails when the session is revoked", () =>
        withStore(async (store) => {
          const input = newSession(newUserId());
          const session = await store.createSession(input);
          await store.revokeSessions({ sessionId: session.id }, T0 + 1);
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
          const input = newSession(newUserId());
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

    void describe("opaque tokens", () => {
      void test("create, find by hash, list by kind, touch", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const otherId = newUserId();
          const first = await store.createToken(newToken(userId, { expiresAt: T0 + 30 * 24 * HOUR }));
          assert.deepEqual(first, {
            id: first.id,
            kind: "pat",
            userId,
            name: "laptop",
            scope: "posts:read",
            tokenHash: first.tokenHash,
            createdAt: T0,
            expiresAt: T0 + 30 * 24 * HOUR,
            lastUsedAt: null,
            revokedAt: null,
          });
          const second = await store.createToken(newToken(userId, { name: "ci", scope: "posts:read posts:write", now: T0 + 1000 }));
          assert.equal(second.expiresAt, null);
          const api = await store.createToken(newToken(userId, { kind: "api", name: "webhook", now: T0 + 2000 }));
          await store.createToken(newToken(otherId, { name: "theirs" }));

          assert.deepEqual(await store.findTokenByHash(first.tokenHash), first);
          assert.deepEqual(await store.findTokenByHash(api.tokenHash), api);
          assert.equal(await store.findTokenByHash(hashOf("unknown")), null);
          assert.deepEqual(
            (await store.listTokens(userId, "pat")).map((token) => token.id),
            [second.id, first.id],
            "newest first, only the user's, only the kind asked for",
          );
          assert.deepEqual(
            (await store.listTokens(userId, "api")).map((token) => token.id),
            [api.id],
          );
          assert.deepEqual(await store.listTokens(userId, "reset"), []);

          await store.touchToken(first.id, T0 + HOUR);
          assert.deepEqual(await store.findTokenByHash(first.tokenHash), { ...first, lastUsedAt: T0 + HOUR });
        }));

      void test("a token hash is unique across kinds", () =>
        withStore(async (store) => {
          const token = await store.createToken(newToken(newUserId()));
          await assert.rejects(store.createToken(newToken(newUserId(), { kind: "api", tokenHash: token.tokenHash })));
          assert.deepEqual(await store.findTokenByHash(token.tokenHash), token);
        }));

      void test("revokeTokens by id revokes once, optionally only the user's own", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const token = await store.createToken(newToken(userId));
          assert.deepEqual(await store.revokeTokens({ id: token.id, userId: newUserId() }, T0 + 2), [], "not theirs to revoke");
          const revoked = await store.revokeTokens({ id: token.id, userId }, T0 + 3);
          assert.deepEqual(revoked, [{ ...token, revokedAt: T0 + 3 }]);
          assert.deepEqual(await store.revokeTokens({ id: token.id }, T0 + 4), [], "already revoked");
          assert.deepEqual(await store.revokeTokens({ id: 987654 }, T0 + 4), [], "does not exist");
          assert.equal(
            (await store.findTokenByHash(token.tokenHash))?.revokedAt,
            T0 + 3,
            "a revoked token is still found by hash, marked revoked",
          );
          assert.deepEqual(await store.listTokens(userId, "pat"), []);
        }));

      void test("revokeTokens with entries writes them in the same transaction, or changes nothing", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const token = await store.createToken(newToken(userId));
          const seen: number[][] = [];
          const revoked = await store.revokeTokens({ id: token.id }, T0 + 5, {
            entries: (records) => {
              seen.push(records.map((record) => record.revokedAt ?? -1));
              return records.map((record) => ({ kind: "token", value: String(record.id), revokedAt: T0 + 5, expiresAt: T0 + HOUR, userId }));
            },
          });
          assert.deepEqual(revoked, [{ ...token, revokedAt: T0 + 5 }]);
          assert.deepEqual(seen, [[T0 + 5]], "entries is told what was revoked, marked revoked");
          assert.deepEqual(await store.listRevocations({ now: T0 }), [{ kind: "token", value: String(token.id), revokedAt: T0 + 5, expiresAt: T0 + HOUR, userId }]);

          const live = await store.createToken(newToken(userId));
          await assert.rejects(
            store.revokeTokens({ userId }, T0 + 7, {
              entries: () => {
                throw new Error("entries failed");
              },
            }),
            /entries failed/,
          );
          assert.equal((await store.findTokenByHash(live.tokenHash))?.revokedAt, null, "a failed call leaves the token live");
          assert.deepEqual(await store.listRevocations({ now: T0, since: T0 + 7 }), [], "and writes no entry");
        }));

      void test("revokeTokens by user revokes every live token, or only those of one kind", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const otherId = newUserId();
          const pat1 = await store.createToken(newToken(userId));
          const pat2 = await store.createToken(newToken(userId));
          const api = await store.createToken(newToken(userId, { kind: "api" }));
          const reset = await store.createToken(newToken(userId, { kind: "reset" }));
          const foreign = await store.createToken(newToken(otherId));
          await store.revokeTokens({ id: pat2.id }, T0 + 1);

          const pats = await store.revokeTokens({ userId, kind: "pat" }, T0 + 2);
          assert.deepEqual(
            pats.map((token) => [token.id, token.revokedAt]),
            [[pat1.id, T0 + 2]],
            "the already revoked one is not reported again",
          );
          assert.deepEqual(
            (await store.listTokens(userId, "api")).map((token) => token.id),
            [api.id],
            "other kinds stay",
          );
          const rest = await store.revokeTokens({ userId }, T0 + 3);
          assert.deepEqual(
            rest.map((token) => token.id),
            ascending([api.id, reset.id]),
          );
          assert.equal((await store.findTokenByHash(pat2.tokenHash))?.revokedAt, T0 + 1, "an earlier revocation keeps its time");
          assert.equal((await store.findTokenByHash(foreign.tokenHash))?.revokedAt, null, "other users are untouched");
          assert.deepEqual(await store.revokeTokens({ userId }, T0 + 4), []);
        }));
    });

    void describe("signing keys", () => {
      void test("insert, refuse a duplicate kid, retire", () =>
        withStore(async (store) => {
          assert.deepEqual(await store.listSigningKeys(), []);
          const old = signingKey("k-old", T0);
          const current = signingKey("k-new", T0 + HOUR);
          const symmetric = { ...signingKey("k-hs", T0 + 2 * HOUR), alg: "HS256", publicJwk: null };
          assert.equal(await store.insertSigningKey(old), true);
          assert.equal(await store.insertSigningKey(current), true);
          assert.equal(await store.insertSigningKey(symmetric), true);
          assert.equal(await store.insertSigningKey({ ...old, alg: "ES256", createdAt: T0 + 5 }), false);
          assert.deepEqual(await store.listSigningKeys(), [symmetric, current, old], "newest first; the first insert is kept");

          await store.retireSigningKey("k-old", T0 + HOUR, T0 + 3 * HOUR);
          assert.deepEqual(
            (await store.listSigningKeys()).find((key) => key.kid === "k-old"),
            { ...old, retiredAt: T0 + HOUR, expiresAt: T0 + 3 * HOUR },
          );
        }));

      void test("concurrent inserts of one kid: exactly one wins", () =>
        withStore(async (store) => {
          const outcomes = await Promise.all(
            Array.from({ length: 10 }, (_, index) => store.insertSigningKey({ ...signingKey("k-race", T0), alg: `alg-${index}` })),
          );
          assert.equal(outcomes.filter((won) => won).length, 1);
          const keys = await store.listSigningKeys();
          assert.equal(keys.length, 1);
          assert.equal(keys[0]?.alg, `alg-${outcomes.indexOf(true)}`);
        }));
    });

    void describe("revocations", () => {
      const jti: RevocationRecord = { kind: "jti", value: "jti-1", revokedAt: T0, expiresAt: T0 + HOUR };
      const sid: RevocationRecord = { kind: "sid", value: "42", revokedAt: T0 + 10, expiresAt: T0 + 2 * HOUR };
      const user: RevocationRecord = { kind: "user", value: "5f0c6e1a-user", revokedAt: T0 + 20, expiresAt: T0 + 3 * HOUR };
      const token: RevocationRecord = { kind: "token", value: "9", revokedAt: T0 + 30, expiresAt: T0 + 10 };

      void test("list live entries, filter by since", () =>
        withStore(async (store) => {
          for (const entry of [jti, sid, user, token]) await store.addRevocation(entry);
          assert.deepEqual(await store.listRevocations({ now: T0 }), [jti, sid, user, token], "ordered by revokedAt");
          assert.deepEqual(await store.listRevocations({ now: T0 + 10 }), [jti, sid, user], "an entry whose expiresAt is now is gone");
          assert.deepEqual(await store.listRevocations({ now: T0 + 10, since: T0 + 10 }), [sid, user], "since is inclusive");
          assert.deepEqual(await store.listRevocations({ now: T0 + 3 * HOUR }), []);
        }));

      void test("entries read a page at a time: limit, and after the last one read, in order", () =>
        withStore(async (store) => {
          // Ties on revokedAt, and on kind within it, so the order's every column is exercised.
          const entries: RevocationRecord[] = [
            { kind: "jti", value: "b", revokedAt: T0, expiresAt: T0 + HOUR },
            { kind: "jti", value: "a", revokedAt: T0, expiresAt: T0 + HOUR },
            { kind: "sid", value: "1", revokedAt: T0, expiresAt: T0 + HOUR },
            { kind: "jti", value: "c", revokedAt: T0 + 1, expiresAt: T0 + HOUR },
            { kind: "token", value: "7", revokedAt: T0 + 1, expiresAt: T0 + HOUR },
            { kind: "user", value: "u", revokedAt: T0 + 2, expiresAt: T0 + HOUR },
            { kind: "sid", value: "2", revokedAt: T0 + 3, expiresAt: T0 + 1 },
          ];
          for (const entry of entries) await store.addRevocation(entry);
          const all = await store.listRevocations({ now: T0 + 1 });
          assert.equal(all.length, 6, "the expired one is not listed");
          assert.deepEqual(all.slice(0, 3).map((entry) => `${entry.kind}:${entry.value}`), ["jti:a", "jti:b", "sid:1"]);

          for (const query of [{ now: T0 + 1 }, { now: T0 + 1, since: T0 + 1 }]) {
            const paged: RevocationRecord[] = [];
            let after: RevocationRecord | undefined;
            for (let page = 0; page < 10; page++) {
              const rows = await store.listRevocations({ ...query, limit: 2, ...(after === undefined ? {} : { after }) });
              assert.ok(rows.length <= 2, "at most limit");
              paged.push(...rows);
              if (rows.length < 2) break;
              after = rows.at(-1);
            }
            assert.deepEqual(paged, await store.listRevocations(query), "the pages together are the whole list, each entry once");
          }
        }));

      void test("revoking the same value again keeps the later cut-off and the later expiry", () =>
        withStore(async (store) => {
          await store.addRevocation({ kind: "user", value: "u", revokedAt: T0 + 50, expiresAt: T0 + HOUR });
          await store.addRevocation({ kind: "user", value: "u", revokedAt: T0, expiresAt: T0 + 2 * HOUR });
          await store.addRevocation({ kind: "sid", value: "u", revokedAt: T0 + 1, expiresAt: T0 + HOUR });
          assert.deepEqual(await store.listRevocations({ now: T0 }), [
            { kind: "sid", value: "u", revokedAt: T0 + 1, expiresAt: T0 + HOUR },
            { kind: "user", value: "u", revokedAt: T0 + 50, expiresAt: T0 + 2 * HOUR },
          ]);
        }));

      void test("an entry keeps whose tokens it covers, and the first owner named stands", () =>
        withStore(async (store) => {
          await store.addRevocation({ kind: "jti", value: "owned", revokedAt: T0, expiresAt: T0 + HOUR, userId: "user-7" });
          await store.addRevocation({ kind: "jti", value: "owned", revokedAt: T0 + 5, expiresAt: T0 + HOUR, userId: "user-8" });
          await store.addRevocation({ kind: "sid", value: "unowned", revokedAt: T0 + 1, expiresAt: T0 + HOUR });
          assert.deepEqual(await store.listRevocations({ now: T0 }), [
            { kind: "sid", value: "unowned", revokedAt: T0 + 1, expiresAt: T0 + HOUR },
            { kind: "jti", value: "owned", revokedAt: T0 + 5, expiresAt: T0 + HOUR, userId: "user-7" },
          ]);
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

    void describe("housekeeping", () => {
      void test("deleteExpired drops expired refresh links, sessions left without one, expired tokens, keys and entries", () =>
        withStore(async (store) => {
          const userId = newUserId();
          const shortLived = newSession(userId, { refreshExpiresAt: T0 + HOUR });
          const longLived = newSession(userId, { refreshExpiresAt: T0 + 48 * HOUR });
          const gone = await store.createSession(shortLived);
          const kept = await store.createSession(longLived);
          const expiring = await store.createToken(newToken(userId, { expiresAt: T0 + HOUR }));
          const lasting = await store.createToken(newToken(userId, { expiresAt: null }));
          const revokedButLive = await store.createToken(newToken(userId, { expiresAt: T0 + 48 * HOUR }));
          await store.revokeTokens({ id: revokedButLive.id }, T0);
          await store.insertSigningKey(signingKey("k-forever", T0));
          await store.insertSigningKey(signingKey("k-retired", T0));
          await store.retireSigningKey("k-retired", T0, T0 + HOUR);
          await store.addRevocation({ kind: "jti", value: "short", revokedAt: T0, expiresAt: T0 + HOUR });
          await store.addRevocation({ kind: "jti", value: "long", revokedAt: T0, expiresAt: T0 + 48 * HOUR });

          assert.deepEqual(await store.deleteExpired(T0 + HOUR - 1), { sessions: 0, tokens: 0, signingKeys: 0, revocations: 0 }, "nothing has expired yet");
          assert.deepEqual(await store.deleteExpired(T0 + 2 * HOUR), { sessions: 1, tokens: 1, signingKeys: 1, revocations: 1 });
          assert.deepEqual(await store.deleteExpired(T0 + 2 * HOUR), { sessions: 0, tokens: 0, signingKeys: 0, revocations: 0 }, "a second run finds nothing");

          assert.equal(await store.getSession(gone.id), null);
          assert.equal(await store.getRefreshToken(shortLived.refreshTokenHash), null);
          assert.deepEqual(
            (await store.listSessions(userId)).map((session) => session.id),
            [kept.id],
          );
          assert.equal((await store.getRefreshToken(longLived.refreshTokenHash))?.sessionId, kept.id);
          assert.equal(await store.findTokenByHash(expiring.tokenHash), null);
          assert.ok(await store.findTokenByHash(lasting.tokenHash), "a token without expiry stays");
          assert.ok(await store.findTokenByHash(revokedButLive.tokenHash), "a revoked token stays until it expires");
          assert.deepEqual(
            (await store.listSigningKeys()).map((key) => key.kid),
            ["k-forever"],
            "keys without an expiry are never dropped",
          );
          assert.deepEqual(
            (await store.listRevocations({ now: T0 })).map((entry) => entry.value),
            ["long"],
          );
        }));

      void test("a session with a spent but unexpired link and an expired live end survives until every link expires", () =>
        withStore(async (store) => {
          const input = newSession(newUserId(), { refreshExpiresAt: T0 + 48 * HOUR });
          const session = await store.createSession(input);
          const next = hashOf("next");
          await store.rotateRefreshToken({ oldHash: input.refreshTokenHash, newHash: next, now: T0 + 1, newExpiresAt: T0 + HOUR });
          assert.equal((await store.deleteExpired(T0 + 2 * HOUR)).sessions, 0);
          assert.equal(await store.getRefreshToken(next), null, "the expired link went");
          assert.ok(await store.getSession(session.id));
          assert.equal((await store.deleteExpired(T0 + 49 * HOUR)).sessions, 1);
        }));

      void test("deleteUserData deletes the user's sessions, refresh links and tokens, and nothing else", () =>
        withStore(async (store) => {
          const doomed = newUserId();
          const other = newUserId();
          const doomedSession = newSession(doomed);
          const otherSession = newSession(other);
          const session = await store.createSession(doomedSession);
          const next = hashOf("next");
          await store.rotateRefreshToken({ oldHash: doomedSession.refreshTokenHash, newHash: next, now: T0 + 1, newExpiresAt: T0 + HOUR });
          const kept = await store.createSession(otherSession);
          const doomedToken = await store.createToken(newToken(doomed));
          const doomedApi = await store.createToken(newToken(doomed, { kind: "api" }));
          const otherToken = await store.createToken(newToken(other));
          const entry: RevocationRecord = { kind: "user", value: doomed, revokedAt: T0, expiresAt: T0 + HOUR };
          await store.addRevocation(entry);

          await store.deleteUserData(doomed);
          assert.equal(await store.getSession(session.id), null);
          assert.equal(await store.getRefreshToken(doomedSession.refreshTokenHash), null);
          assert.equal(await store.getRefreshToken(next), null);
          assert.equal(await store.findTokenByHash(doomedToken.tokenHash), null);
          assert.equal(await store.findTokenByHash(doomedApi.tokenHash), null);
          assert.deepEqual(await store.listSessions(doomed), []);
          assert.deepEqual(await store.listRevocations({ now: T0 }), [entry], "revocation entries stay");
          await store.deleteUserData(doomed);

          assert.deepEqual(await store.getSession(kept.id), kept, "other users keep their data");
          assert.ok(await store.getRefreshToken(otherSession.refreshTokenHash));
          assert.deepEqual(await store.findTokenByHash(otherToken.tokenHash), otherToken);
        }));
    });

    void describe("machine clients and their secrets", () => {
      void test("a client is created, read, listed by owner, touched and revoked with its secrets", () =>
        withStore(async (store) => {
          const owner = newUserId();
          const id = `tsr_ci_${randomBytes(16).toString("base64url")}`;
          const client = await store.createClient({ id, name: "exporter", scope: "posts:read", ownerId: owner, now: T0 });
          assert.deepEqual(client, { id, name: "exporter", scope: "posts:read", ownerId: owner, createdAt: T0, lastUsedAt: null, revokedAt: null });
          const lone = await store.createClient({ id: `${id}x`, name: "lone", scope: "", ownerId: null, now: T0 + 1 });
          assert.deepEqual(await store.getClient(id), client);
          assert.equal(await store.getClient("tsr_ci_nope"), null);
          assert.deepEqual((await store.listClients()).map((entry) => entry.id), [lone.id, id], "newest first");
          assert.deepEqual((await store.listClients({ ownerId: owner })).map((entry) => entry.id), [id]);
          await store.touchClient(id, T0 + 5);
          assert.equal((await store.getClient(id))?.lastUsedAt, T0 + 5);

          const first = await store.addClientSecret({ clientId: id, secretHash: hashOf("cs1"), now: T0 });
          const second = await store.addClientSecret({ clientId: id, secretHash: hashOf("cs2"), now: T0 + 1 });
          assert.deepEqual((await store.listClientSecrets(id)).map((secret) => secret.id), [first.id, second.id], "oldest first");
          await store.touchClientSecret(first.id, T0 + 9);
          assert.equal((await store.listClientSecrets(id))[0]?.lastUsedAt, T0 + 9);

          const revoked = await store.revokeClient(id, T0 + 10);
          assert.equal(revoked?.revokedAt, T0 + 10);
          assert.equal(await store.revokeClient(id, T0 + 11), null, "only a live client is revoked");
          assert.deepEqual(await store.listClientSecrets(id), [], "its secrets went with it");
          assert.deepEqual((await store.listClients()).map((entry) => entry.id), [lone.id]);
          assert.equal((await store.getClient(id))?.revokedAt, T0 + 10, "a revoked client is still readable");
        }));

      void test("secrets are revoked one at a time or all but one", () =>
        withStore(async (store) => {
          const id = `tsr_ci_${randomBytes(16).toString("base64url")}`;
          await store.createClient({ id, name: "rotating", scope: "", ownerId: null, now: T0 });
          const [a, b, c] = [
            await store.addClientSecret({ clientId: id, secretHash: hashOf("a"), now: T0 }),
            await store.addClientSecret({ clientId: id, secretHash: hashOf("b"), now: T0 + 1 }),
            await store.addClientSecret({ clientId: id, secretHash: hashOf("c"), now: T0 + 2 }),
          ];
          const one = await store.revokeClientSecrets({ clientId: id, secretId: a.id }, T0 + 3);
          assert.deepEqual(one.map((secret) => [secret.id, secret.revokedAt]), [[a.id, T0 + 3]]);
          assert.deepEqual(await store.revokeClientSecrets({ clientId: `${id}other`, secretId: b.id }, T0 + 3), [], "another client's secret is not touched");
          const rest = await store.revokeClientSecrets({ clientId: id, exceptSecretId: c.id }, T0 + 4);
          assert.deepEqual(rest.map((secret) => secret.id), [b.id]);
          assert.deepEqual((await store.listClientSecrets(id)).map((secret) => secret.id), [c.id]);
        }));
    });

    void describe("audit events", () => {
      const event = (overrides: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
        at: T0,
        type: "login.succeeded",
        actorType: "user",
        actorId: "u1",
        userId: "u1",
        clientId: null,
        sessionId: 3,
        subject: "session:3",
        reason: null,
        ip: "203.0.113.7",
        userAgent: "curl/8",
        requestId: "req-1",
        via: "POST /api/tokens",
        count: 1,
        ...overrides,
      });

      void test("events are appended, read newest first with filters and cursors, and pruned by age", () =>
        withStore(async (store) => {
          await store.appendAuditEvents([
            event(),
            event({ at: T0 + 1, type: "login.failed", userId: "u2", actorId: null, actorType: "anonymous", reason: "wrong_password" }),
            event({ at: T0 + 2, type: "client.token_issued", clientId: "tsr_ci_x", userId: null }),
            event({ at: T0 + 3, type: "logout" }),
          ]);
          const all = await store.listAuditEvents({ limit: 10 });
          assert.deepEqual(all.map((row) => row.type), ["logout", "client.token_issued", "login.failed", "login.succeeded"]);
          const first = all[3];
          assert.ok(first);
          assert.deepEqual({ ...first, id: 0 }, { ...event(), id: 0, prevHash: null, hash: null });
          assert.deepEqual((await store.listAuditEvents({ userId: "u1", limit: 10 })).map((row) => row.type), ["logout", "login.succeeded"]);
          assert.deepEqual((await store.listAuditEvents({ clientId: "tsr_ci_x", limit: 10 })).map((row) => row.type), ["client.token_issued"]);
          assert.deepEqual((await store.listAuditEvents({ types: ["login.failed", "logout"], limit: 10 })).map((row) => row.type), ["logout", "login.failed"]);
          assert.deepEqual((await store.listAuditEvents({ since: T0 + 1, until: T0 + 3, limit: 10 })).map((row) => row.at), [T0 + 2, T0 + 1]);
          const page = await store.listAuditEvents({ limit: 2 });
          const next = await store.listAuditEvents({ limit: 2, beforeId: page[1]?.id });
          assert.deepEqual([...page, ...next].map((row) => row.id), all.map((row) => row.id), "the cursor pages through everything once");
          assert.deepEqual((await store.listAuditEvents({ afterId: first.id, limit: 2 })).map((row) => row.at), [T0 + 1, T0 + 2], "following: oldest first");
          assert.equal(await store.deleteAuditEventsBefore(T0 + 2), 2);
          assert.deepEqual((await store.listAuditEvents({ limit: 10 })).map((row) => row.at), [T0 + 3, T0 + 2]);
        }));

      void test("chained appends link every row to the previous one, across batches, and tampering shows", () =>
        withStore(async (store) => {
          await store.appendAuditEvents([event(), event({ at: T0 + 1 })], { chain: hashAuditEvent });
          await store.appendAuditEvents([event({ at: T0 + 2, type: "logout" })], { chain: hashAuditEvent });
          const rows = (await store.listAuditEvents({ afterId: 0, limit: 10 }));
          assert.equal(rows.length, 3);
          assert.equal(rows[0]?.prevHash, null);
          assert.equal(rows[1]?.prevHash, rows[0]?.hash);
          assert.equal(rows[2]?.prevHash, rows[1]?.hash, "the second batch continues the chain");
          assert.equal(checkAuditChain(rows, { lastHash: null, checked: 0 }), null);
          const tampered = rows.map((row, index) => (index === 1 ? { ...row, ip: "198.51.100.1" } : row));
          assert.deepEqual(checkAuditChain(tampered, { lastHash: null, checked: 0 }), { id: rows[1]?.id, reason: "hash_mismatch" });
          const removed = [rows[0], rows[2]].filter((row) => row !== undefined);
          assert.deepEqual(checkAuditChain(removed, { lastHash: null, checked: 0 }), { id: rows[2]?.id, reason: "prev_hash_mismatch" });
        }));

      void test("concurrent chained appends extend one chain (the head is locked per append)", () =>
        withStore(async (store) => {
          await Promise.all(
            Array.from({ length: 8 }, (_, writer) =>
              store.appendAuditEvents([event({ at: T0 + writer, reason: `w${writer}a` }), event({ at: T0 + writer, reason: `w${writer}b` })], { chain: hashAuditEvent }),
            ),
          );
          const rows = await store.listAuditEvents({ afterId: 0, limit: 100 });
          assert.equal(rows.length, 16);
          assert.equal(checkAuditChain(rows, { lastHash: null, checked: 0 }), null, "no fork: every row links to the one before it");
          assert.equal(rows.filter((row) => row.prevHash === null).length, 1, "one start");
        }));
    });

    void test("ping resolves", () =>
      withStore(async (store) => {
        await store.ping();
      }));
  });
}

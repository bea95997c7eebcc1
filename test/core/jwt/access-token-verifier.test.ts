import { strict as assert } from "node:assert";
import { test } from "node:test";
import { ConfigError } from "../../../src/core/errors.js";
import { createAccessTokenVerifier, type AccessTokenVerifier } from "../../../src/core/jwt/access-token-verifier.js";
import { createKeyRing } from "../../../src/core/jwt/key-ring.js";
import { issueAccessToken } from "../../../src/core/jwt/issue-access-token.js";
import type { SigningKeyRecord } from "../../../src/core/token-store.js";
import { AUDIENCE, forge, ISSUER, keyRecord, NOW, NOW_SECONDS, signingKeyOf, standardClaims } from "./helpers.js";

/** A clock the test moves by hand. */
function manualClock(start = NOW): { now: () => number; set: (ms: number) => void } {
  let current = start;
  return { now: () => current, set: (ms) => void (current = ms) };
}

function issue(records: SigningKeyRecord[], overrides: { sub?: string; ttlSeconds?: number; now?: number } = {}): string {
  return issueAccessToken(createKeyRing(records), {
    sub: overrides.sub ?? "1",
    sid: "2",
    scope: "posts:read",
    ttlSeconds: overrides.ttlSeconds ?? 900,
    issuer: ISSUER,
    audience: AUDIENCE,
    now: overrides.now ?? NOW,
  }).token;
}

/** How many tokens `body` made the verifier verify in full (signature and claims), read from its counters. */
function fullVerificationsDuring(verifier: AccessTokenVerifier, body: () => void): number {
  const before = verifier.stats().fullVerifications;
  body();
  return verifier.stats().fullVerifications - before;
}

/** Runs `body` and checks that it was answered from the cache: a hit counted, no full verification. */
function fromCache<T>(verifier: AccessTokenVerifier, body: () => T): T {
  const before = verifier.stats();
  const result = body();
  const after = verifier.stats();
  assert.equal(after.fullVerifications, before.fullVerifications, "verified in full: not served from the cache");
  assert.equal(after.cacheHits, before.cacheHits + 1);
  return result;
}

test("a cached token is answered from the cache, without a full verification, with the same frozen result", async () => {
  for (const alg of ["EdDSA", "HS256", "ES256", "RS256"] as const) {
    const record = await keyRecord(alg);
    const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock: manualClock() });
    const token = issue([record]);
    const first = verifier.verify(token);
    assert.equal(first.ok, true);
    const second = fromCache(verifier, () => verifier.verify(token));
    assert.equal(second, first);
    assert.equal(Object.isFrozen(second), true);
    assert.equal(second.ok && Object.isFrozen(second.claims), true);
  }
});

test("a cached token is never served at or after exp, whatever the nbf leeway", async () => {
  const record = await keyRecord("EdDSA");
  const clock = manualClock();
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock, leewaySeconds: 5 });
  const token = issue([record], { ttlSeconds: 60 });
  assert.equal(verifier.verify(token).ok, true);
  const expMs = (NOW_SECONDS + 60) * 1000;
  clock.set(expMs - 1);
  assert.equal(fromCache(verifier, () => verifier.verify(token)).ok, true);
  clock.set(expMs);
  const result = verifier.verify(token);
  assert.equal(!result.ok && result.code, "token_expired");
});

test("a cached token is not served past its key's expiresAt", async () => {
  const record = { ...(await keyRecord("ES256")), retiredAt: NOW, expiresAt: NOW + 30_000 };
  const token = issue([{ ...record, retiredAt: null, expiresAt: null }]);
  const clock = manualClock();
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock });
  assert.equal(verifier.verify(token).ok, true);
  clock.set(NOW + 29_999);
  assert.equal(fromCache(verifier, () => verifier.verify(token)).ok, true);
  clock.set(NOW + 30_000);
  const result = verifier.verify(token);
  assert.equal(!result.ok && result.reason, "unknown_kid");
});

test("setKeyRing: tokens of a removed key stop verifying at once; tokens of kept keys stay cached", async () => {
  const a = await keyRecord("EdDSA", "ring-a");
  const b = await keyRecord("HS256", "ring-b");
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([a, b]), issuer: ISSUER, audience: AUDIENCE, clock: manualClock() });
  const tokenA = issue([a]);
  const tokenB = issue([b]);
  assert.equal(verifier.verify(tokenA).ok, true);
  assert.equal(verifier.verify(tokenB).ok, true);

  // The same key material reloaded from the store (a new ring object): the cache survives.
  verifier.setKeyRing(createKeyRing([a, b]));
  assert.equal(fromCache(verifier, () => verifier.verify(tokenA)).ok, true);

  verifier.setKeyRing(createKeyRing([a]));
  const result = verifier.verify(tokenB);
  assert.equal(!result.ok && result.reason, "unknown_kid");
  assert.equal(fromCache(verifier, () => verifier.verify(tokenA)).ok, true);
});

test("setKeyRing: a kid reused with other key material drops the cached tokens", async () => {
  const original = await keyRecord("HS256", "reuse-1");
  const impostor = { ...(await keyRecord("HS256", "reuse-2")), kid: original.kid };
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([original]), issuer: ISSUER, audience: AUDIENCE, clock: manualClock() });
  const token = issue([original]);
  assert.equal(verifier.verify(token).ok, true);
  verifier.setKeyRing(createKeyRing([impostor]));
  const result = verifier.verify(token);
  assert.equal(!result.ok && result.reason, "bad_signature");
});

test("setKeyRing: retiring a key re-bounds its cached tokens by the new expiresAt", async () => {
  const record = await keyRecord("EdDSA", "retire");
  const clock = manualClock();
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock });
  const token = issue([record]);
  assert.equal(verifier.verify(token).ok, true);
  verifier.setKeyRing(createKeyRing([{ ...record, retiredAt: NOW, expiresAt: NOW + 10_000 }]));
  clock.set(NOW + 9_999);
  assert.equal(fromCache(verifier, () => verifier.verify(token)).ok, true);
  clock.set(NOW + 10_000);
  assert.equal(verifier.verify(token).ok, false);
  assert.equal(verifier.keyRing.findKey(record.kid)?.expiresAt, NOW + 10_000);
});

test("the cache is bounded and evicts the least recently used token", async () => {
  const record = await keyRecord("HS256");
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock: manualClock(), cacheSize: 2 });
  const [t0, t1, t2, t3] = ["0", "1", "2", "3"].map((sub) => issue([record], { sub })) as [string, string, string, string];
  verifier.verify(t0); // primes the header memo
  assert.equal(fullVerificationsDuring(verifier, () => void [t1, t2].forEach((t) => verifier.verify(t))), 2);
  assert.equal(fullVerificationsDuring(verifier, () => void verifier.verify(t1)), 0); // t1 is now the most recent
  assert.equal(fullVerificationsDuring(verifier, () => void verifier.verify(t3)), 1); // evicts t2
  assert.equal(fullVerificationsDuring(verifier, () => void verifier.verify(t1)), 0);
  assert.equal(fullVerificationsDuring(verifier, () => void verifier.verify(t3)), 0);
  assert.equal(fullVerificationsDuring(verifier, () => void verifier.verify(t2)), 1);
});

test("cacheSize 0 disables the cache; clearCache empties it; failures are never cached", async () => {
  const record = await keyRecord("HS256");
  const token = issue([record]);
  const off = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock: manualClock(), cacheSize: 0 });
  off.verify(issue([record], { sub: "primer" }));
  assert.equal(fullVerificationsDuring(off, () => void [1, 2, 3].forEach(() => off.verify(token))), 3);

  const on = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock: manualClock() });
  on.verify(issue([record], { sub: "primer" }));
  assert.equal(fullVerificationsDuring(on, () => void [1, 2].forEach(() => on.verify(token))), 1);
  on.clearCache();
  assert.equal(fullVerificationsDuring(on, () => void on.verify(token)), 1);

  const clock = manualClock(NOW - 3_600_000);
  const early = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock });
  assert.equal(early.verify(token).ok, false); // not valid yet
  clock.set(NOW);
  assert.equal(early.verify(token).ok, true);
});

test("bad options are a ConfigError at construction", async () => {
  const keyRing = createKeyRing([await keyRecord("HS256")]);
  assert.throws(() => createAccessTokenVerifier({ keyRing, issuer: ISSUER, audience: AUDIENCE, leewaySeconds: 61 }), ConfigError);
  assert.throws(() => createAccessTokenVerifier({ keyRing, issuer: ISSUER, audience: AUDIENCE, cacheSize: -1 }), ConfigError);
  assert.throws(() => createAccessTokenVerifier({ keyRing, issuer: ISSUER, audience: AUDIENCE, cacheSize: 1.5 }), ConfigError);
  assert.throws(() => createAccessTokenVerifier({ keyRing, issuer: "", audience: AUDIENCE }), ConfigError);
});

test("without the cache, a remembered header still honours its key's expiry", async () => {
  const record = { ...(await keyRecord("EdDSA", "memo")), retiredAt: NOW, expiresAt: NOW + 1_000 };
  const active = { ...record, retiredAt: null, expiresAt: null };
  const clock = manualClock();
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock, cacheSize: 0 });
  const [first, second] = ["1", "2"].map((sub) => issue([active], { sub })) as [string, string];
  assert.equal(verifier.verify(first).ok, true);
  clock.set(NOW + 1_000);
  const result = verifier.verify(second);
  assert.equal(!result.ok && result.reason, "unknown_kid");
});

test("many distinct valid headers neither break verification nor grow memory without bound", async () => {
  const record = await keyRecord("HS256");
  const verifier = createAccessTokenVerifier({ keyRing: createKeyRing([record]), issuer: ISSUER, audience: AUDIENCE, clock: manualClock(), cacheSize: 0 });
  for (let i = 0; i < 100; i++) {
    const token = forge({ alg: "HS256", key: signingKeyOf(record), header: { alg: "HS256", typ: "at+jwt", kid: record.kid, n: i }, payload: standardClaims() });
    assert.equal(verifier.verify(token).ok, true, String(i));
  }
  assert.equal(verifier.verify(issue([record])).ok, true);
});

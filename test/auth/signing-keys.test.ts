import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StoredKeyRing } from "../../src/auth/signing-keys.js";
import { ConfigError } from "../../src/core/errors.js";
import { openTokenStore, type SqlTokenStore } from "../../src/stores/index.js";

const ISSUER = "urn:test:signing-keys";

describe("StoredKeyRing standalone", () => {
  let store: SqlTokenStore;
  before(async () => {
    store = await openTokenStore("sqlite::memory:");
    await store.migrate();
  });
  after(async () => {
    await store.close();
  });

  it("needs no clock, cache size or TTL; issues sessionless tokens with the app's claims", async () => {
    const keys = new StoredKeyRing({ store, alg: "EdDSA", issuer: ISSUER, audience: ISSUER });
    await keys.load();
    const before = Math.floor(Date.now() / 1000);
    const issued = keys.issue({ sub: 42, extraClaims: { identity: 42 } });
    const verified = keys.verify(issued.token);
    assert.ok(verified.ok);
    const { sub, scope, sid, identity, iss, aud, exp, iat, jti } = verified.claims;
    assert.deepEqual({ sub, scope, sid, identity, iss, aud, jti }, { sub: "42", scope: "", sid: undefined, identity: 42, iss: ISSUER, aud: ISSUER, jti: issued.jti });
    assert.equal("sid" in verified.claims, false);
    // The default TTL is accessTokenTtlSeconds' default, 900 s, on the system clock.
    assert.equal(exp - iat, 900);
    assert.ok(iat >= before && iat <= Math.floor(Date.now() / 1000));
  });

  it("issues with a session, scopes and a shorter TTL as before", async () => {
    let now = Date.UTC(2030, 0, 1);
    const keys = new StoredKeyRing({
      store,
      clock: { now: () => now },
      alg: "HS256",
      issuer: ISSUER,
      audience: "api",
      accessTokenTtlSeconds: 600,
      cacheSize: 0,
    });
    await keys.load();
    const issued = keys.issue({ sub: "7", sid: "3", scope: ["posts:read", "posts:write"], ttlSeconds: 60 });
    assert.equal(issued.expiresAt, now + 60_000);
    const verified = keys.verify(issued.token);
    assert.ok(verified.ok);
    assert.deepEqual([verified.claims.sid, verified.claims.scope], ["3", "posts:read posts:write"]);
    now += 61_000 + 5_000;
    assert.equal(keys.verify(issued.token).ok, false);
  });

  it("refuses a TTL the key rotation does not cover, and a bad accessTokenTtlSeconds", async () => {
    const keys = new StoredKeyRing({ store, alg: "HS256", issuer: ISSUER, audience: ISSUER, accessTokenTtlSeconds: 600 });
    await keys.load();
    assert.throws(() => keys.issue({ sub: 1, ttlSeconds: 601 }), RangeError);
    assert.throws(() => keys.issue({ sub: 1, extraClaims: { sid: "x" } }), TypeError);
    for (const accessTokenTtlSeconds of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new StoredKeyRing({ store, alg: "HS256", issuer: ISSUER, audience: ISSUER, accessTokenTtlSeconds }), ConfigError);
    }
  });
});

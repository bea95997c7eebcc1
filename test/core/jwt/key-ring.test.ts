import { strict as assert } from "node:assert";
import { test } from "node:test";
import { TesseraError } from "../../../src/core/errors.js";
import { createKeyRing } from "../../../src/core/jwt/key-ring.js";
import { generateSigningKey } from "../../../src/core/jwt/generate-signing-key.js";
import { issueAccessToken } from "../../../src/core/jwt/issue-access-token.js";
import { verifyAccessToken } from "../../../src/core/jwt/verify-access-token.js";
import type { SigningKeyRecord } from "../../../src/core/token-store.js";
import { AUDIENCE, ISSUER, keyRecord, NOW } from "./helpers.js";

function issue(records: SigningKeyRecord[], now = NOW): string {
  return issueAccessToken(createKeyRing(records), { sub: "1", sid: "2", scope: "", ttlSeconds: 900, issuer: ISSUER, audience: AUDIENCE, now }).token;
}

function verify(records: SigningKeyRecord[], token: string, now = NOW) {
  return verifyAccessToken(token, { keyRing: createKeyRing(records), issuer: ISSUER, audience: AUDIENCE, now });
}

function kidOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { kid: string }).kid;
}

test("the signing key is the newest non-retired key; ties go to the larger kid", async () => {
  const old = await keyRecord("EdDSA", "old", NOW - 3_000);
  const newer = await keyRecord("ES256", "newer", NOW - 2_000);
  const retiredNewest = { ...(await keyRecord("EdDSA", "retired", NOW - 1_000)), retiredAt: NOW - 500, expiresAt: NOW + 900_000 };
  const ring = createKeyRing([old, retiredNewest, newer]);
  assert.equal(ring.signingKey?.kid, newer.kid);
  assert.equal(ring.signingKey?.alg, "ES256");

  const twin = { ...(await keyRecord("EdDSA", "twin", NOW - 2_000)) };
  const expected = [newer.kid, twin.kid].sort()[1];
  assert.equal(createKeyRing([newer, twin]).signingKey?.kid, expected);
  assert.equal(createKeyRing([twin, newer]).signingKey?.kid, expected);
});

test("a ring of retired keys has no signing key but still verifies; issuing throws", async () => {
  const active = await keyRecord("EdDSA");
  const token = issue([active]);
  const retired = { ...active, retiredAt: NOW, expiresAt: NOW + 960_000 };
  const ring = createKeyRing([retired]);
  assert.equal(ring.signingKey, null);
  assert.equal(verify([retired], token).ok, true);
  assert.throws(
    () => issueAccessToken(ring, { sub: "1", sid: "2", scope: "", ttlSeconds: 900, issuer: ISSUER, audience: AUDIENCE, now: NOW }),
    (error: unknown) => error instanceof TesseraError && error.code === "internal_error",
  );
});

test("a retired key verifies until its expiresAt, then the token is token_invalid", async () => {
  const active = await keyRecord("ES256");
  const token = issue([active]);
  const retired = { ...active, retiredAt: NOW + 1_000, expiresAt: NOW + 10_000 };
  assert.equal(verify([retired], token, NOW + 9_999).ok, true);
  const after = verify([retired], token, NOW + 10_000);
  assert.equal(after.ok, false);
  assert.equal(!after.ok && after.code, "token_invalid");
  assert.equal(!after.ok && after.reason, "unknown_kid");
  assert.equal(createKeyRing([retired]).getVerificationKey(active.kid, NOW + 10_000), undefined);
  assert.equal(createKeyRing([retired]).findKey(active.kid)?.kid, active.kid);
});

test("JWKS: public keys only, each with kid, alg and use; HS256 keys never appear", async () => {
  const records = [await keyRecord("EdDSA"), await keyRecord("ES256"), await keyRecord("RS256"), await keyRecord("HS256")];
  const jwks = createKeyRing(records).toJwks();
  assert.equal(jwks.keys.length, 3);
  for (const jwk of jwks.keys) {
    const record = records.find((candidate) => candidate.kid === jwk.kid);
    assert.ok(record);
    assert.equal(jwk.alg, record.alg);
    assert.equal(jwk.use, "sig");
    for (const member of ["d", "p", "q", "dp", "dq", "qi", "k"]) assert.equal(member in jwk, false, member);
    assert.deepEqual(Object.keys(jwk).sort(), {
      EdDSA: ["alg", "crv", "kid", "kty", "use", "x"],
      ES256: ["alg", "crv", "kid", "kty", "use", "x", "y"],
      RS256: ["alg", "e", "kid", "kty", "n", "use"],
    }[jwk.alg as "EdDSA" | "ES256" | "RS256"]);
  }
  assert.deepEqual(createKeyRing([await keyRecord("HS256")]).toJwks(), { keys: [] });
  // Returned objects are copies: mutating them does not change the ring.
  (jwks.keys[0] as { kid: string }).kid = "changed";
  assert.notEqual(createKeyRing(records).toJwks().keys[0]?.kid, "changed");
});

test("JWKS with now: expired keys drop out, retired but live keys stay", async () => {
  const live = { ...(await keyRecord("EdDSA", "live")), retiredAt: NOW, expiresAt: NOW + 1_000 };
  const current = await keyRecord("EdDSA", "current");
  const ring = createKeyRing([live, current]);
  assert.equal(ring.toJwks({ now: NOW }).keys.length, 2);
  assert.deepEqual(ring.toJwks({ now: NOW + 1_000 }).keys.map((jwk) => jwk.kid), [current.kid]);
});

test("records round-trip: a ring rebuilt from toRecords verifies and signs the same", async () => {
  const records = [await keyRecord("RS256"), { ...(await keyRecord("HS256")), retiredAt: NOW, expiresAt: NOW + 5_000 }];
  const ring = createKeyRing(records);
  const copy = createKeyRing(JSON.parse(JSON.stringify(ring.toRecords())) as SigningKeyRecord[]);
  assert.deepEqual(copy.toRecords(), records);
  const token = issue(copy.toRecords());
  assert.equal(kidOf(token), records[0]?.kid);
  assert.equal(verify(records, token).ok, true);
});

test("planRotation: a new signing key; the old one retires now and expires after max TTL + leeway", async () => {
  const old = await keyRecord("HS256", "rotating");
  const ring = createKeyRing([old]);
  const tokenBefore = issue([old]);
  const plan = await ring.planRotation({ alg: "EdDSA", now: NOW, maxTokenTtlSeconds: 900, leewaySeconds: 30 });
  assert.equal(plan.newKey.alg, "EdDSA");
  assert.equal(plan.newKey.createdAt, NOW);
  assert.deepEqual(plan.retired, [{ kid: old.kid, retiredAt: NOW, expiresAt: NOW + 930_000 }]);
  assert.equal(plan.records.length, 2);

  const rotated = createKeyRing(plan.records);
  assert.equal(rotated.signingKey?.kid, plan.newKey.kid);
  const tokenAfter = issue(plan.records);
  assert.equal(kidOf(tokenAfter), plan.newKey.kid);
  // The old token stays valid for its whole life (exp is NOW + 900 s, leeway 5 s).
  assert.equal(verify(plan.records, tokenBefore, NOW + 899_000).ok, true);
  assert.equal(verify(plan.records, tokenAfter, NOW + 899_000).ok, true);
  // The input ring is unchanged.
  assert.deepEqual(ring.toRecords(), [old]);
  assert.equal(rotated.toJwks().keys.length, 1);
});

test("planRotation defaults its leeway to 60 s and leaves already-retired keys alone", async () => {
  const retired = { ...(await keyRecord("EdDSA", "gone")), retiredAt: NOW - 10, expiresAt: NOW + 10 };
  const current = await keyRecord("EdDSA", "cur");
  const plan = await createKeyRing([retired, current]).planRotation({ alg: "EdDSA", now: NOW, maxTokenTtlSeconds: 900 });
  assert.deepEqual(plan.retired, [{ kid: current.kid, retiredAt: NOW, expiresAt: NOW + 960_000 }]);
  assert.deepEqual(plan.records.find((record) => record.kid === retired.kid), retired);
  await assert.rejects(createKeyRing([current]).planRotation({ alg: "EdDSA", now: NOW, maxTokenTtlSeconds: 0 }), RangeError);
});

test("corrupt records throw internal_error without key material in the message", async () => {
  const ed = await keyRecord("EdDSA");
  const es = await keyRecord("ES256");
  const hs = await keyRecord("HS256");
  const rsaSmall = await generateRsa1024Record();
  const corrupt: [string, SigningKeyRecord[]][] = [
    ["unknown alg", [{ ...ed, alg: "none" }]],
    ["alg of another key type", [{ ...ed, alg: "ES256" }]],
    ["broken public JWK", [{ ...ed, publicJwk: "{" }]],
    ["missing public JWK", [{ ...ed, publicJwk: null }]],
    ["private key of another pair", [{ ...ed, privateJwk: (await keyRecord("EdDSA", "other")).privateJwk }]],
    ["short HS256 secret", [{ ...hs, privateJwk: JSON.stringify({ kty: "oct", k: Buffer.alloc(16, 1).toString("base64url") }) }]],
    ["HS256 with an asymmetric JWK", [{ ...hs, privateJwk: es.privateJwk }]],
    ["duplicate kid", [ed, { ...es, kid: ed.kid }]],
    ["RSA below 2048 bits", [rsaSmall]],
  ];
  for (const [name, records] of corrupt) {
    assert.throws(
      () => createKeyRing(records),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError, name);
        assert.equal(error.code, "internal_error", name);
        for (const record of records) {
          const jwk = JSON.parse(record.privateJwk) as { d?: string; k?: string };
          for (const secret of [jwk.d, jwk.k]) if (secret !== undefined) assert.equal(error.message.includes(secret), false, name);
        }
        return true;
      },
      name,
    );
  }
});

async function generateRsa1024Record(): Promise<SigningKeyRecord> {
  const { generateKeyPairSync } = await import("node:crypto");
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const template = await generateSigningKey({ alg: "RS256", now: NOW });
  return {
    ...template,
    kid: "small",
    publicJwk: JSON.stringify(publicKey.export({ format: "jwk" })),
    privateJwk: JSON.stringify(privateKey.export({ format: "jwk" })),
  };
}

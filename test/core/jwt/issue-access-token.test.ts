import { strict as assert } from "node:assert";
import { test } from "node:test";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { JWT_ALGS } from "../../../src/core/jwt/algorithms.js";
import { createKeyRing } from "../../../src/core/jwt/key-ring.js";
import { issueAccessToken, type IssueAccessTokenOptions } from "../../../src/core/jwt/issue-access-token.js";
import { verifyAccessToken } from "../../../src/core/jwt/verify-access-token.js";
import { AUDIENCE, ISSUER, keyRecord, NOW, NOW_SECONDS } from "./helpers.js";

const BASE: IssueAccessTokenOptions = {
  sub: 42,
  sid: 7,
  scope: ["posts:read", "posts:write"],
  ttlSeconds: 900,
  issuer: ISSUER,
  audience: AUDIENCE,
  now: NOW,
};

for (const alg of JWT_ALGS) {
  test(`${alg}: an RFC 9068 token that jose verifies, with every contract claim`, async () => {
    const record = await keyRecord(alg);
    const { token, jti, expiresAt } = issueAccessToken(createKeyRing([record]), BASE);
    assert.deepEqual(decodeProtectedHeader(token), { alg, typ: "at+jwt", kid: record.kid });
    const joseKey = await importJWK(JSON.parse(record.publicJwk ?? record.privateJwk), alg);
    const { payload } = await jwtVerify(token, joseKey, {
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: "at+jwt",
      currentDate: new Date(NOW),
    });
    assert.deepEqual(payload, {
      iss: ISSUER,
      sub: "42",
      aud: AUDIENCE,
      iat: NOW_SECONDS,
      nbf: NOW_SECONDS,
      exp: NOW_SECONDS + 900,
      jti,
      scope: "posts:read posts:write",
      sid: "7",
    });
    assert.equal(expiresAt, (NOW_SECONDS + 900) * 1000);
  });
}

test("sid is optional: a sessionless token carries no sid claim, and verifies", async () => {
  const ring = createKeyRing([await keyRecord("EdDSA")]);
  const { sid: _sid, ...sessionless } = BASE;
  const { token } = issueAccessToken(ring, sessionless);
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
  assert.equal("sid" in payload, false);
  assert.equal(issueAccessToken(ring, { ...BASE, sid: undefined }).token.split(".")[1]?.length, token.split(".")[1]?.length);
  const verified = verifyAccessToken(token, { keyRing: ring, issuer: ISSUER, audience: AUDIENCE, now: NOW });
  assert.equal(verified.ok, true);
  assert.equal(verified.ok && verified.claims.sid, undefined);
});

test("jti is the minting millisecond and 96 random bits unless given", async () => {
  const ring = createKeyRing([await keyRecord("HS256")]);
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) seen.add(issueAccessToken(ring, BASE).jti);
  assert.equal(seen.size, 50);
  for (const jti of seen) {
    const bytes = Buffer.from(jti, "base64url");
    assert.equal(bytes.length, 18);
    assert.equal(bytes.readUIntBE(0, 6), BASE.now);
  }
  assert.equal(issueAccessToken(ring, { ...BASE, jti: "fixed" }).jti, "fixed");
});

test("extra claims are added but may not override registered ones", async () => {
  const ring = createKeyRing([await keyRecord("EdDSA")]);
  const { token } = issueAccessToken(ring, { ...BASE, extraClaims: { client_id: "cli", roles: ["admin"] } });
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
  assert.equal(payload.client_id, "cli");
  assert.deepEqual(payload.roles, ["admin"]);
  for (const name of ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "sid"]) {
    assert.throws(() => issueAccessToken(ring, { ...BASE, extraClaims: { [name]: "x" } }), TypeError, name);
  }
});

test("misuse throws: empty ids, bad TTLs, empty issuer/audience, a token over 8 KiB", async () => {
  const ring = createKeyRing([await keyRecord("HS256")]);
  assert.throws(() => issueAccessToken(ring, { ...BASE, sub: "" }), TypeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, sid: "" }), TypeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, sub: 1.5 }), TypeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, ttlSeconds: 0 }), RangeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, ttlSeconds: 1.5 }), RangeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, now: Number.NaN }), RangeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, issuer: "" }), TypeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, audience: "" }), TypeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, jti: "" }), TypeError);
  assert.throws(() => issueAccessToken(ring, { ...BASE, extraClaims: { blob: "x".repeat(7000) } }), RangeError);
});

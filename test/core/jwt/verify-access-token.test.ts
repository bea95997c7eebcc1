import { strict as assert } from "node:assert";
import { createSecretKey } from "node:crypto";
import { test } from "node:test";
import { ConfigError } from "../../../src/core/errors.js";
import { JWT_ALGS, type JwtAlg } from "../../../src/core/jwt/algorithms.js";
import { createKeyRing, type KeyRing } from "../../../src/core/jwt/key-ring.js";
import { issueAccessToken } from "../../../src/core/jwt/issue-access-token.js";
import {
  verifyAccessToken,
  type AccessTokenFailureCode,
  type AccessTokenFailureReason,
  type VerifyAccessTokenResult,
} from "../../../src/core/jwt/verify-access-token.js";
import type { SigningKeyRecord } from "../../../src/core/token-store.js";
import { AUDIENCE, forge, ISSUER, keyRecord, NOW, NOW_SECONDS, signingKeyOf, standardClaims } from "./helpers.js";

async function fixture(alg: JwtAlg = "EdDSA"): Promise<{ record: SigningKeyRecord; ring: KeyRing }> {
  const record = await keyRecord(alg);
  return { record, ring: createKeyRing([record]) };
}

function check(ring: KeyRing, token: string, options: { now?: number; leewaySeconds?: number } = {}): VerifyAccessTokenResult {
  return verifyAccessToken(token, { keyRing: ring, issuer: ISSUER, audience: AUDIENCE, now: NOW, ...options });
}

function assertFails(result: VerifyAccessTokenResult, code: AccessTokenFailureCode, reason: AccessTokenFailureReason): void {
  assert.equal(result.ok, false, `expected ${code}/${reason}`);
  if (!result.ok) assert.deepEqual([result.code, result.reason], [code, reason]);
}

function sign(record: SigningKeyRecord, header: Record<string, unknown>, payload: Record<string, unknown> | string): string {
  return forge({ alg: record.alg as JwtAlg, key: signingKeyOf(record), header, payload });
}

function headerOf(record: SigningKeyRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { alg: record.alg, typ: "at+jwt", kid: record.kid, ...extra };
}

for (const alg of JWT_ALGS) {
  test(`${alg}: an issued token verifies and exposes its claims, frozen`, async () => {
    const { ring } = await fixture(alg);
    const issued = issueAccessToken(ring, { sub: "42", sid: "7", scope: "a b", ttlSeconds: 900, issuer: ISSUER, audience: AUDIENCE, now: NOW });
    const result = check(ring, issued.token);
    assert.equal(result.ok, true);
    if (!result.ok) return;
    const { sub, sid, jti, scope, exp, iat } = result.claims;
    assert.deepEqual({ sub, sid, jti, scope, exp, iat }, { sub: "42", sid: "7", jti: issued.jti, scope: "a b", exp: NOW_SECONDS + 900, iat: NOW_SECONDS });
    assert.equal(Object.isFrozen(result.claims), true);
  });
}

test("token_malformed: not three segments, bad base64url, bad JSON, not an object, over 8 KiB", async () => {
  const { record, ring } = await fixture();
  const good = sign(record, headerOf(record), standardClaims());
  const [h, p, s] = good.split(".") as [string, string, string];
  const cases: [string, AccessTokenFailureReason][] = [
    ["", "not_compact"],
    [`${h}.${p}`, "not_compact"],
    [`${good}.`, "not_compact"],
    [`${h}.${p}.${s}.${s}`, "not_compact"],
    [`${h}.${p}=.${s}`, "not_compact"],
    [`${h}.${p}.${s} `, "not_compact"],
    [`${h}.${p}.${s.slice(0, -1)}+`, "not_compact"],
    [`${h}=.${p}.${s}`, "bad_header"],
    [`${Buffer.from("{").toString("base64url")}.${p}.${s}`, "bad_header"],
    [`${Buffer.from("[]").toString("base64url")}.${p}.${s}`, "bad_header"],
    [`${Buffer.from("null").toString("base64url")}.${p}.${s}`, "bad_header"],
    [`${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.${p}.${s}`, "bad_header"],
    [`${good}${"A".repeat(8193 - good.length)}`, "too_large"],
  ];
  for (const [token, reason] of cases) assertFails(check(ring, token), "token_malformed", reason);
  assertFails(check(ring, 42 as unknown as string), "token_malformed", "not_compact");
  // A signed payload that is not a JSON object is malformed too (only a key holder can make one).
  assertFails(check(ring, sign(record, headerOf(record), "[1]")), "token_malformed", "bad_payload");
  assertFails(check(ring, forge({ alg: "EdDSA", key: signingKeyOf(record), header: headerOf(record), payload: Buffer.from([0x22, 0xc3, 0x28, 0x22]) })), "token_malformed", "bad_payload");
});

test("a token at the 8 KiB limit is accepted; one just over it is not", async () => {
  const { record, ring } = await fixture("HS256");
  const withPad = (length: number): string => sign(record, headerOf(record), standardClaims({ pad: "x".repeat(length) }));
  let length = Math.floor(((8192 - withPad(0).length) * 3) / 4) - 4;
  while (withPad(length + 1).length <= 8192) length++;
  const atLimit = withPad(length);
  const overLimit = withPad(length + 1);
  assert.ok(atLimit.length <= 8192 && atLimit.length >= 8190, String(atLimit.length));
  assert.ok(overLimit.length > 8192);
  assert.equal(check(ring, atLimit).ok, true);
  assertFails(check(ring, overLimit), "token_malformed", "too_large");
});

test("token_invalid: alg none, alg swaps and HS256 signed with the public key", async () => {
  const { record, ring } = await fixture("EdDSA");
  const payload = standardClaims();
  const good = sign(record, headerOf(record), payload);
  const [, p, s] = good.split(".") as [string, string, string];
  const none = `${Buffer.from(JSON.stringify(headerOf(record, { alg: "none" }))).toString("base64url")}.${p}.`;
  assertFails(check(ring, none), "token_invalid", "wrong_alg");
  assertFails(check(ring, `${none}${s}`), "token_invalid", "wrong_alg");
  // The classic key confusion: HMAC keyed with the published public key.
  const publicBytes = Buffer.from(record.publicJwk ?? "");
  const confused = forge({ alg: "HS256", key: createSecretKey(publicBytes), header: headerOf(record, { alg: "HS256" }), payload });
  assertFails(check(ring, confused), "token_invalid", "wrong_alg");
  for (const alg of ["Ed25519", "eddsa", "ES256", ""]) {
    assertFails(check(ring, sign(record, headerOf(record, { alg }), payload)), "token_invalid", "wrong_alg");
  }
  assertFails(check(ring, sign(record, { typ: "at+jwt", kid: record.kid }, payload)), "token_invalid", "no_kid");
});

test("token_invalid: unknown, missing or non-string kid; a kid of a key with another alg", async () => {
  const ed = await keyRecord("EdDSA");
  const hs = await keyRecord("HS256");
  const ring = createKeyRing([ed, hs]);
  const payload = standardClaims();
  assertFails(check(ring, sign(ed, headerOf(ed, { kid: "nope" }), payload)), "token_invalid", "unknown_kid");
  assertFails(check(ring, sign(ed, headerOf(ed, { kid: undefined }), payload)), "token_invalid", "no_kid");
  assertFails(check(ring, sign(ed, headerOf(ed, { kid: 1 }), payload)), "token_invalid", "no_kid");
  assertFails(check(ring, sign(ed, headerOf(ed, { kid: hs.kid }), payload)), "token_invalid", "wrong_alg");
});

test("token_invalid: a bad signature, or a signature by another key of the same alg", async () => {
  const { record, ring } = await fixture("ES256");
  const good = sign(record, headerOf(record), standardClaims());
  const [h, p, s] = good.split(".") as [string, string, string];
  const tampered = Buffer.from(s, "base64url");
  tampered[0] = (tampered[0] ?? 0) ^ 0x80;
  assertFails(check(ring, `${h}.${p}.${tampered.toString("base64url")}`), "token_invalid", "bad_signature");
  const otherPayload = Buffer.from(JSON.stringify(standardClaims({ sub: "1" }))).toString("base64url");
  assertFails(check(ring, `${h}.${otherPayload}.${s}`), "token_invalid", "bad_signature");
  const other = await keyRecord("ES256", "other");
  const byOther = forge({ alg: "ES256", key: signingKeyOf(other), header: headerOf(record), payload: standardClaims() });
  assertFails(check(ring, byOther), "token_invalid", "bad_signature");
});

test("token_invalid: crit in any form, wrong typ", async () => {
  const { record, ring } = await fixture("HS256");
  const payload = standardClaims();
  for (const crit of [["b64"], ["exp"], [], "x", null]) {
    assertFails(check(ring, sign(record, headerOf(record, { crit, b64: true, exp: 1 }), payload)), "token_invalid", "crit");
  }
  for (const typ of [undefined, "JWT", "application/jwt", "at+jwt; x", "at+jwt ", 5]) {
    assertFails(check(ring, sign(record, headerOf(record, { typ }), payload)), "token_invalid", "wrong_typ");
  }
  for (const typ of ["AT+JWT", "application/at+jwt", "Application/At+Jwt"]) {
    assert.equal(check(ring, sign(record, headerOf(record, { typ }), payload)).ok, true, typ);
  }
});

test("token_invalid: wrong or missing iss/aud; aud as an array must contain ours", async () => {
  const { record, ring } = await fixture("HS256");
  const h = headerOf(record);
  assertFails(check(ring, sign(record, h, standardClaims({ iss: "https://evil.example" }))), "token_invalid", "wrong_issuer");
  assertFails(check(ring, sign(record, h, standardClaims({ iss: undefined }))), "token_invalid", "wrong_issuer");
  assertFails(check(ring, sign(record, h, standardClaims({ aud: "other" }))), "token_invalid", "wrong_audience");
  assertFails(check(ring, sign(record, h, standardClaims({ aud: ["a", "b"] }))), "token_invalid", "wrong_audience");
  assertFails(check(ring, sign(record, h, standardClaims({ aud: undefined }))), "token_invalid", "wrong_audience");
  assert.equal(check(ring, sign(record, h, standardClaims({ aud: ["other", AUDIENCE] }))).ok, true);
});

test("token_invalid: a required claim missing or of the wrong type", async () => {
  const { record, ring } = await fixture("HS256");
  const h = headerOf(record);
  const broken: Record<string, unknown>[] = [
    { sub: undefined }, { sub: 42 }, { sid: 7 }, { sid: null }, { sid: ["7"] }, { jti: undefined }, { jti: null },
    { scope: undefined }, { scope: ["a"] }, { iat: undefined }, { iat: "1" }, { nbf: undefined }, { nbf: null },
    { exp: undefined }, { exp: String(NOW_SECONDS + 900) },
  ];
  for (const overrides of broken) {
    assertFails(check(ring, sign(record, h, standardClaims(overrides))), "token_invalid", "bad_claims");
  }
  // 1e400 parses as Infinity: a token that never expires is refused.
  const infinite = JSON.stringify(standardClaims()).replace(`"exp":${NOW_SECONDS + 900}`, '"exp":1e400');
  assertFails(check(ring, sign(record, h, infinite)), "token_invalid", "bad_claims");
});

test("sid may be absent (sessionless apps); the other claims stay required", async () => {
  const { record, ring } = await fixture("HS256");
  const result = check(ring, sign(record, headerOf(record), standardClaims({ sid: undefined })));
  assert.equal(result.ok, true);
  assert.equal(result.ok && result.claims.sid, undefined);
  assert.equal(result.ok && "sid" in result.claims, false);
});

test("exp: expired (token_expired) as soon as exp has passed, whatever the nbf leeway (contract section 2)", async () => {
  const { record, ring } = await fixture("HS256");
  const token = sign(record, headerOf(record), standardClaims({ exp: NOW_SECONDS + 1 }));
  assert.equal(check(ring, token, { now: NOW_SECONDS * 1000 + 999 }).ok, true);
  assertFails(check(ring, token, { now: (NOW_SECONDS + 1) * 1000 }), "token_expired", "expired");
  assertFails(check(ring, token, { now: (NOW_SECONDS + 1) * 1000, leewaySeconds: 60 }), "token_expired", "expired");
  assert.throws(() => check(ring, token, { leewaySeconds: 61 }), ConfigError);
  assert.throws(() => check(ring, token, { leewaySeconds: -1 }), ConfigError);
});

test("nbf in the future beyond the leeway is token_invalid (not token_expired)", async () => {
  const { record, ring } = await fixture("HS256");
  const token = sign(record, headerOf(record), standardClaims({ nbf: NOW_SECONDS + 10, iat: NOW_SECONDS + 10 }));
  assertFails(check(ring, token), "token_invalid", "not_yet_valid");
  assert.equal(check(ring, token, { leewaySeconds: 10 }).ok, true);
  assert.equal(check(ring, token, { now: NOW + 5_000 }).ok, true);
  // Both not yet valid and expired: the nbf failure wins, as in jose.
  const both = sign(record, headerOf(record), standardClaims({ nbf: NOW_SECONDS + 100, exp: NOW_SECONDS - 100 }));
  assertFails(check(ring, both), "token_invalid", "not_yet_valid");
});

test("an expired token with another defect reports the defect, so clients do not refresh forged tokens", async () => {
  const { record, ring } = await fixture("HS256");
  const expired = { exp: NOW_SECONDS - 100 };
  assertFails(check(ring, sign(record, headerOf(record), standardClaims({ ...expired, aud: "x" }))), "token_invalid", "wrong_audience");
  const [h, p] = sign(record, headerOf(record), standardClaims(expired)).split(".");
  assertFails(check(ring, `${h}.${p}.${"A".repeat(43)}`), "token_invalid", "bad_signature");
});

test("failure details never contain the token", async () => {
  const { record, ring } = await fixture("HS256");
  const token = sign(record, headerOf(record), standardClaims({ exp: NOW_SECONDS - 100 }));
  const result = check(ring, token);
  assert.equal(result.ok, false);
  for (const part of token.split(".")) assert.equal(JSON.stringify(result).includes(part), false);
});

test("options are validated: empty issuer or audience is a ConfigError", async () => {
  const { ring } = await fixture();
  assert.throws(() => verifyAccessToken("x", { keyRing: ring, issuer: "", audience: AUDIENCE, now: NOW }), ConfigError);
  assert.throws(() => verifyAccessToken("x", { keyRing: ring, issuer: ISSUER, audience: "", now: NOW }), ConfigError);
  // A NaN clock would make every time check pass; it is misuse, not a verdict.
  assert.throws(() => verifyAccessToken("x", { keyRing: ring, issuer: ISSUER, audience: AUDIENCE, now: Number.NaN }), RangeError);
});

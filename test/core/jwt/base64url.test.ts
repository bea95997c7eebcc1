import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { decodeCanonicalBase64url, encodeBase64url, isCanonicalBase64url } from "../../../src/core/jwt/base64url.js";

test("every encoding Buffer produces is canonical and round-trips", () => {
  for (let length = 0; length < 70; length++) {
    const bytes = randomBytes(length);
    const encoded = bytes.toString("base64url");
    assert.equal(isCanonicalBase64url(encoded), true, encoded);
    assert.deepEqual(decodeCanonicalBase64url(encoded), bytes);
    assert.equal(encodeBase64url(bytes), encoded);
  }
});

test("non-canonical spellings of the same bytes are refused", () => {
  assert.equal(isCanonicalBase64url("YQ"), true);
  for (const spelling of ["YR", "YQ==", "YQ=", "Y Q", " YQ", "YQ\n", "Y+Q", "Y/Q", "YWJ", "YWI="]) {
    assert.equal(isCanonicalBase64url(spelling), false, JSON.stringify(spelling));
    assert.equal(decodeCanonicalBase64url(spelling), null);
  }
  assert.equal(isCanonicalBase64url("YWI"), true);
});

test("impossible lengths and foreign characters are refused", () => {
  for (const segment of ["A", "AAAAA", "é", "AA.A", "AA%3D", "\u0000AA"]) assert.equal(isCanonicalBase64url(segment), false, segment);
  assert.equal(isCanonicalBase64url(""), true);
});

test("encodeBase64url encodes strings as UTF-8", () => {
  assert.equal(encodeBase64url("é"), "w6k");
  assert.equal(encodeBase64url('{"alg":"EdDSA"}'), "eyJhbGciOiJFZERTQSJ9");
});

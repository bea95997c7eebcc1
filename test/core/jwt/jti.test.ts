import assert from "node:assert/strict";
import { test } from "node:test";
import { createJti, issuedAtMs } from "../../../src/core/jwt/jti.js";

const minted = Date.UTC(2026, 10, 27, 12, 0, 0, 250);
const iat = Math.floor(minted / 1000);

test("a jti is 24 base64url characters, different every time", () => {
  const first = createJti(minted);
  assert.match(first, /^[A-Za-z0-9_-]{24}$/);
  assert.notEqual(createJti(minted), first);
});

test("issuedAtMs reads the minting millisecond back from a jti minted in iat's second", () => {
  assert.equal(issuedAtMs({ iat, jti: createJti(minted) }), minted);
});

test("issuedAtMs falls back to the start of iat's second for a foreign jti", () => {
  assert.equal(issuedAtMs({ iat, jti: "my-own-id" }), iat * 1000);
  // A 24-character jti whose time lies outside iat's second cannot move the token.
  assert.equal(issuedAtMs({ iat, jti: createJti(minted + 5000) }), iat * 1000);
  assert.equal(issuedAtMs({ iat, jti: createJti(minted - 1000) }), iat * 1000);
  assert.equal(issuedAtMs({ iat, jti: "!".repeat(24) }), iat * 1000);
});

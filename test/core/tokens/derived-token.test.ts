import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { deriveOpaqueToken, generateDerivedToken } from "../../../src/core/tokens/derived-token.js";
import { hashToken } from "../../../src/core/tokens/opaque-token.js";

const key = Buffer.alloc(32, 7);

test("the same key and id always derive the same token", () => {
  const first = deriveOpaqueToken({ key, tokenId: "abc" });
  assert.equal(deriveOpaqueToken({ key, tokenId: "abc" }), first);
  assert.match(first, /^[A-Za-z0-9_-]{43}$/);
});

test("a different id or key derives a different token", () => {
  const token = deriveOpaqueToken({ key, tokenId: "abc" });
  assert.notEqual(deriveOpaqueToken({ key, tokenId: "abd" }), token);
  assert.notEqual(deriveOpaqueToken({ key: Buffer.alloc(32, 8), tokenId: "abc" }), token);
});

test("the token is domain-separated from a bare HMAC of the id under the same key", () => {
  const bare = createHmac("sha256", key).update("abc").digest("base64url");
  assert.notEqual(deriveOpaqueToken({ key, tokenId: "abc" }), bare);
});

test("a prefix is prepended", () => {
  const plain = deriveOpaqueToken({ key, tokenId: "abc" });
  assert.equal(deriveOpaqueToken({ key, tokenId: "abc", prefix: "mb_" }), `mb_${plain}`);
});

test("generateDerivedToken returns an id whose derivation is the token, and the token's hash", () => {
  const minted = generateDerivedToken({ key, prefix: "mb_" });
  assert.match(minted.tokenId, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(deriveOpaqueToken({ key, tokenId: minted.tokenId, prefix: "mb_" }), minted.token);
  assert.equal(minted.tokenHash, hashToken(minted.token));
  assert.notEqual(generateDerivedToken({ key }).tokenId, generateDerivedToken({ key }).tokenId);
});

test("injected randomness makes the id predictable", () => {
  const minted = generateDerivedToken({ key, random: (size) => Buffer.alloc(size, 0) });
  assert.equal(minted.tokenId, "A".repeat(22));
});

test("misuse throws TypeError", () => {
  assert.throws(() => deriveOpaqueToken({ key: Buffer.alloc(31), tokenId: "abc" }), TypeError);
  assert.throws(() => deriveOpaqueToken({ key: "secret" as unknown as Buffer, tokenId: "abc" }), TypeError);
  assert.throws(() => deriveOpaqueToken({ key, tokenId: "" }), TypeError);
  assert.throws(() => deriveOpaqueToken({ key, tokenId: "x".repeat(257) }), TypeError);
  assert.throws(() => deriveOpaqueToken({ key, tokenId: "abc", prefix: "bad prefix" }), TypeError);
  assert.throws(() => generateDerivedToken({ key: Buffer.alloc(8) }), TypeError);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  deriveSuccessorToken,
  generateOpaqueToken,
  hashToken,
  isWellFormedOpaqueToken,
  opaqueTokenKind,
  tokenHashesEqual,
} from "../../../src/core/tokens/opaque-token.js";

test("a personal access token has its prefix, 32 random bytes and a checksum", () => {
  const token = generateOpaqueToken("personalAccessToken");
  assert.match(token, /^tsr_pat_[A-Za-z0-9_-]{43}[A-Za-z0-9_-]{6}$/);
  assert.equal(Buffer.from(token.slice(8, 51), "base64url").length, 32);
  assert.equal(isWellFormedOpaqueToken(token, "personalAccessToken"), true);
  assert.equal(opaqueTokenKind(token), "personalAccessToken");
});

test("two tokens never repeat", () => {
  const seen = new Set(Array.from({ length: 1000 }, () => generateOpaqueToken("refreshToken")));
  assert.equal(seen.size, 1000);
});

test("a known secret gives a known token (checksum is SHA-256 based)", () => {
  const token = generateOpaqueToken("refreshToken", (size) => Buffer.alloc(size, 0));
  assert.equal(token.slice(0, 50), "tsr_rt_" + "A".repeat(43));
  assert.equal(isWellFormedOpaqueToken(token, "refreshToken"), true);
});

test("a mistyped, truncated or foreign token fails the checksum", () => {
  const token = generateOpaqueToken("personalAccessToken");
  const flipped = token.slice(0, 20) + (token[20] === "a" ? "b" : "a") + token.slice(21);
  assert.equal(isWellFormedOpaqueToken(flipped, "personalAccessToken"), false);
  assert.equal(isWellFormedOpaqueToken(token.slice(0, -1), "personalAccessToken"), false);
  assert.equal(isWellFormedOpaqueToken(token, "refreshToken"), false);
  assert.equal(isWellFormedOpaqueToken("ghp_" + token.slice(8), "personalAccessToken"), false);
  assert.equal(isWellFormedOpaqueToken("tsr_pat_" + "!".repeat(49), "personalAccessToken"), false);
});

test("the successor of a refresh token is deterministic per key and well formed", () => {
  const key = Buffer.alloc(32, 7);
  const token = generateOpaqueToken("refreshToken");
  const next = deriveSuccessorToken(key, token);
  assert.equal(next, deriveSuccessorToken(key, token));
  assert.notEqual(next, deriveSuccessorToken(Buffer.alloc(32, 8), token));
  assert.notEqual(next, token);
  assert.equal(isWellFormedOpaqueToken(next, "refreshToken"), true);
});

test("only the SHA-256 hash is kept, and hashes compare in constant time", () => {
  assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(tokenHashesEqual(hashToken("abc"), hashToken("abc")), true);
  assert.equal(tokenHashesEqual(hashToken("abc"), hashToken("abd")), false);
  assert.equal(tokenHashesEqual("", ""), false);
});

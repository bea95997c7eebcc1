// Shared fixtures for the JWT tests: real keys (no mocks) and a way to sign arbitrary
// header/payload bytes, so tests can build tokens our issuer would never produce.
import { createPrivateKey, createSecretKey, type KeyObject } from "node:crypto";
import type { SigningKeyRecord } from "../../../src/core/token-store.js";
import type { JwtAlg } from "../../../src/core/jwt/algorithms.js";
import { generateSigningKey } from "../../../src/core/jwt/generate-signing-key.js";
import { createJwsSignature } from "../../../src/core/jwt/jws-signature.js";

export const ISSUER = "https://auth.example";
export const AUDIENCE = "tessera";
/** A fixed "now" (epoch ms), not on a second boundary, so flooring matters. */
export const NOW = Date.UTC(2030, 0, 1, 12, 0, 0) + 250;
export const NOW_SECONDS = Math.floor(NOW / 1000);

const generated = new Map<string, Promise<SigningKeyRecord>>();

/** One key per (alg, label), generated once per test process (RSA keygen is slow). */
export function keyRecord(alg: JwtAlg, label = "a", createdAt = NOW - 60_000): Promise<SigningKeyRecord> {
  const cacheKey = `${alg}/${label}/${createdAt}`;
  let record = generated.get(cacheKey);
  if (record === undefined) {
    record = generateSigningKey({ alg, now: createdAt });
    generated.set(cacheKey, record);
  }
  return record;
}

/** The key that signs for a record: the private key, or the HS256 secret. */
export function signingKeyOf(record: SigningKeyRecord): KeyObject {
  const jwk = JSON.parse(record.privateJwk) as { kty: string; k?: string };
  if (jwk.kty === "oct") return createSecretKey(Buffer.from(jwk.k ?? "", "base64url"));
  return createPrivateKey({ key: jwk, format: "jwk" });
}

export type Part = string | Buffer | Record<string, unknown>;

function encodePart(part: Part): string {
  if (Buffer.isBuffer(part)) return part.toString("base64url");
  return Buffer.from(typeof part === "string" ? part : JSON.stringify(part), "utf8").toString("base64url");
}

/** Signs `header.payload` exactly as given (raw JSON text, bytes, or an object). */
export function forge(options: { alg: JwtAlg; key: KeyObject; header: Part; payload: Part }): string {
  const signingInput = `${encodePart(options.header)}.${encodePart(options.payload)}`;
  return `${signingInput}.${createJwsSignature(options.alg, options.key, signingInput).toString("base64url")}`;
}

/** The claims issueAccessToken would write at NOW. */
export function standardClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: "42",
    aud: AUDIENCE,
    iat: NOW_SECONDS,
    nbf: NOW_SECONDS,
    exp: NOW_SECONDS + 900,
    jti: "jti-1",
    scope: "posts:read posts:write",
    sid: "7",
    ...overrides,
  };
}

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The kinds of opaque token Tessera mints, by prefix. */
export const OPAQUE_TOKEN_PREFIXES = {
  personalAccessToken: "tsr_pat_",
  refreshToken: "tsr_rt_",
  clientSecret: "tsr_cs_",
} as const;

export type OpaqueTokenKind = keyof typeof OPAQUE_TOKEN_PREFIXES;

const SECRET_BYTES = 32;
// base64url of 32 bytes, no padding.
const SECRET_CHARS = 43;
const CHECKSUM_CHARS = 6;

/**
 * The checksum is the first 4 bytes of SHA-256(prefix + secret), base64url. It is not a
 * security control: it lets a client, a secret scanner or the server reject a mistyped,
 * truncated or foreign token without a store look-up.
 */
function checksumOf(prefix: string, secret: string): string {
  return createHash("sha256").update(prefix).update(secret).digest().subarray(0, 4).toString("base64url").slice(0, CHECKSUM_CHARS);
}

/**
 * An opaque token from a prefix and 32 secret bytes: prefix + base64url(bytes) + checksum.
 *
 * @example
 * const token = assembleOpaqueToken("tsr_api_", createHmac("sha256", key).update(input).digest());
 */
export function assembleOpaqueToken(prefix: string, secretBytes: Buffer): string {
  return assemble(prefix, secretBytes);
}

function assemble(prefix: string, secretBytes: Buffer): string {
  const secret = secretBytes.toString("base64url");
  return prefix + secret + checksumOf(prefix, secret);
}

/**
 * Mints a new opaque token: prefix + 32 random bytes (base64url) + checksum.
 *
 * @example
 * const token = generateOpaqueToken("personalAccessToken"); // "tsr_pat_…"
 */
export function generateOpaqueToken(kind: OpaqueTokenKind, random: (size: number) => Buffer = randomBytes): string {
  return assemble(OPAQUE_TOKEN_PREFIXES[kind], random(SECRET_BYTES));
}

/**
 * Derives the successor of a refresh token: HMAC-SHA256(key, token). Concurrent refreshes of
 * the same token inside the grace window all compute the same successor, so every caller gets a
 * valid pair while the stored chain gains exactly one link. Only a holder of `key` can derive it.
 *
 * @example
 * const next = deriveSuccessorToken(derivationKey, presentedRefreshToken);
 */
export function deriveSuccessorToken(key: Buffer, token: string): string {
  return assemble(OPAQUE_TOKEN_PREFIXES.refreshToken, createHmac("sha256", key).update(token).digest());
}

/**
 * Checks the shape and checksum of an opaque token of `kind` without any store look-up.
 *
 * @example
 * if (!isWellFormedOpaqueToken(token, "personalAccessToken")) return { ok: false, code: "token_malformed" };
 */
export function isWellFormedOpaqueToken(token: string, kind: OpaqueTokenKind): boolean {
  return hasValidChecksum(token, OPAQUE_TOKEN_PREFIXES[kind]);
}

/**
 * Checks the shape and checksum of an opaque token with this prefix, without any store look-up.
 *
 * @example
 * if (!hasValidChecksum(token, "tsr_api_")) return { ok: false, code: "token_malformed" };
 */
export function hasValidChecksum(token: string, prefix: string): boolean {
  if (token.length !== prefix.length + SECRET_CHARS + CHECKSUM_CHARS || !token.startsWith(prefix)) return false;
  const secret = token.slice(prefix.length, prefix.length + SECRET_CHARS);
  if (!/^[A-Za-z0-9_-]+$/.test(secret)) return false;
  const expected = Buffer.from(checksumOf(prefix, secret));
  const actual = Buffer.from(token.slice(prefix.length + SECRET_CHARS));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Which kind of opaque token this looks like, by prefix only (no checksum check). */
export function opaqueTokenKind(token: string): OpaqueTokenKind | null {
  if (token.startsWith(OPAQUE_TOKEN_PREFIXES.personalAccessToken)) return "personalAccessToken";
  if (token.startsWith(OPAQUE_TOKEN_PREFIXES.refreshToken)) return "refreshToken";
  if (token.startsWith(OPAQUE_TOKEN_PREFIXES.clientSecret)) return "clientSecret";
  return null;
}

/**
 * The only form in which a token is stored: SHA-256 of the whole token, hex.
 *
 * @example
 * await store.getPersonalAccessTokenByHash(hashToken(token));
 */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Constant-time equality of two hex token hashes.
 *
 * @example
 * if (!tokenHashesEqual(hashToken(token), record.tokenHash)) return failure;
 */
export function tokenHashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

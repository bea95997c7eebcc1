import { createHmac, randomBytes } from "node:crypto";
import { hashToken } from "./opaque-token.js";

// Derived tokens let a server hand the *same* opaque token back on a repeated request (the
// microblog API returns the live token while it has time left) although it stores only the
// token's hash: the token is recomputed from its stored, non-secret id and a server key.
// Whoever holds the key and reads the ids can recompute every live token, so keep the key
// at least as well guarded as JWT signing keys.

/** Shortest derivation key accepted: 256 bits, HMAC-SHA256's security level. */
export const DERIVATION_KEY_MIN_BYTES = 32;

const TOKEN_ID_BYTES = 16;
const MAX_TOKEN_ID_LENGTH = 256;
const PREFIX = /^[A-Za-z0-9_-]{0,32}$/;
// Domain separation: the same key may also feed other HMACs (e.g. refresh successors)
// without any of their outputs ever equalling a derived token.
const LABEL = "tessera derived opaque token v1\0";

/** Options of {@link deriveOpaqueToken}. */
export interface DeriveOpaqueTokenOptions {
  /** The server's derivation key, at least {@link DERIVATION_KEY_MIN_BYTES} bytes. */
  key: Buffer;
  /** The token's public id, stored next to its hash (from {@link generateDerivedToken}). */
  tokenId: string;
  /** Prepended to the token, e.g. `mb_`, so scanners can recognise it. Default none. */
  prefix?: string;
}

/** Options of {@link generateDerivedToken}. */
export interface GenerateDerivedTokenOptions {
  key: Buffer;
  prefix?: string;
  /** Randomness for the token id; injectable for tests. */
  random?: (size: number) => Buffer;
}

/** A new derived token: show `token` to the client, store `tokenId` and `tokenHash`. */
export interface DerivedToken {
  tokenId: string;
  token: string;
  /** {@link hashToken} of `token`: the only form of the token that is stored. */
  tokenHash: string;
}

function checkOptions(key: unknown, prefix: unknown): void {
  if (!Buffer.isBuffer(key) || key.length < DERIVATION_KEY_MIN_BYTES) {
    throw new TypeError(`the derivation key must be a Buffer of at least ${DERIVATION_KEY_MIN_BYTES} bytes`);
  }
  if (prefix !== undefined && (typeof prefix !== "string" || !PREFIX.test(prefix))) {
    throw new TypeError("prefix must be up to 32 letters, digits, '_' or '-'");
  }
}

/**
 * Recomputes the opaque token of `tokenId`: `prefix` + base64url(HMAC-SHA256(key, tokenId)),
 * 43 characters after the prefix. Deterministic: the same key and id always give the same
 * token, which is what lets a server return a live token it never stored.
 * Throws `TypeError` for a short key, an empty or overlong id or a bad prefix.
 *
 * @example
 * const token = deriveOpaqueToken({ key, tokenId: record.name, prefix: "mb_" });
 */
export function deriveOpaqueToken(options: DeriveOpaqueTokenOptions): string {
  const { key, tokenId, prefix = "" } = options;
  checkOptions(key, prefix);
  if (typeof tokenId !== "string" || tokenId.length === 0 || tokenId.length > MAX_TOKEN_ID_LENGTH) {
    throw new TypeError(`tokenId must be a string of 1 to ${MAX_TOKEN_ID_LENGTH} characters`);
  }
  return prefix + createHmac("sha256", key).update(LABEL).update(tokenId).digest("base64url");
}

/**
 * Mints a derived token with a fresh random id (128 bits, base64url).
 *
 * @example
 * const { tokenId, token, tokenHash } = generateDerivedToken({ key, prefix: "mb_" });
 * await store.createPersonalAccessToken({ userId, name: tokenId, tokenHash, scope: "", now, expiresAt });
 * reply({ token });
 */
export function generateDerivedToken(options: GenerateDerivedTokenOptions): DerivedToken {
  const { key, prefix, random = randomBytes } = options;
  checkOptions(key, prefix);
  const tokenId = random(TOKEN_ID_BYTES).toString("base64url");
  const token = deriveOpaqueToken(prefix === undefined ? { key, tokenId } : { key, tokenId, prefix });
  return { tokenId, token, tokenHash: hashToken(token) };
}

// Strict base64url for JWS segments (RFC 7515 section 2: no padding, URL-safe alphabet).
// Buffer.from(x, "base64url") silently skips junk characters and ignores non-zero
// trailing bits, so a token could be re-spelled in many ways; we accept only the one
// canonical spelling (RFC 4648 section 3.5) so a token has exactly one string form.

const BASE64URL_CHARS = /^[A-Za-z0-9_-]*$/;

// Value of each base64url character, to check the unused low bits of the last one.
const CHAR_VALUES = new Int8Array(128).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  .split("")
  .forEach((char, index) => {
    CHAR_VALUES[char.charCodeAt(0)] = index;
  });

/**
 * Whether `segment` is canonical, unpadded base64url: only the URL-safe alphabet, a
 * possible length, and zero bits in the unused tail of the last character.
 *
 * @example
 * isCanonicalBase64url("YQ"); // true
 * isCanonicalBase64url("YR"); // false: decodes to the same byte, but non-canonically
 */
export function isCanonicalBase64url(segment: string): boolean {
  const remainder = segment.length & 3;
  if (remainder === 1 || !BASE64URL_CHARS.test(segment)) return false;
  if (remainder === 0) return true;
  const last = CHAR_VALUES[segment.charCodeAt(segment.length - 1)] ?? 0;
  // 2 trailing chars carry 8 bits of 12 (4 unused), 3 carry 16 of 18 (2 unused).
  return (last & (remainder === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * Decodes canonical base64url; null for anything {@link isCanonicalBase64url} refuses.
 *
 * @example
 * decodeCanonicalBase64url("YQ"); // <Buffer 61>
 */
export function decodeCanonicalBase64url(segment: string): Buffer | null {
  return isCanonicalBase64url(segment) ? Buffer.from(segment, "base64url") : null;
}

/**
 * Encodes bytes or a UTF-8 string as unpadded base64url.
 *
 * @example
 * encodeBase64url('{"alg":"EdDSA"}'); // "eyJhbGciOiJFZERTQSJ9"
 */
export function encodeBase64url(input: string | Uint8Array): string {
  return (typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input)).toString("base64url");
}

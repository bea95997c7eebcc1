import { randomBytes } from "node:crypto";

const TIMESTAMP_BYTES = 6;
const RANDOM_BYTES = 12;
const JTI_LENGTH = Math.ceil(((TIMESTAMP_BYTES + RANDOM_BYTES) * 8) / 6);

/**
 * A fresh `jti`: the minting time in epoch milliseconds (6 bytes, big-endian) followed by 96
 * random bits, base64url (24 characters). The timestamp lets a user-wide revocation tell a token
 * minted just before it from one minted just after it in the same second, which `iat` (whole
 * seconds) cannot.
 *
 * @example
 * createJti(Date.now()); // "AZK1nUQoX3Vb1c0pRkq2Zw8t"
 */
export function createJti(now: number): string {
  const bytes = Buffer.alloc(TIMESTAMP_BYTES + RANDOM_BYTES);
  bytes.writeUIntBE(Math.max(0, Math.floor(now)), 0, TIMESTAMP_BYTES);
  randomBytes(RANDOM_BYTES).copy(bytes, TIMESTAMP_BYTES);
  return bytes.toString("base64url");
}

/**
 * When a verified access token was minted, in epoch milliseconds: the time its `jti` records
 * (see {@link createJti}) when that lies inside the second `iat` names, else the start of that
 * second. A `jti` chosen by the caller can therefore never move a token out of its own second.
 *
 * @example
 * issuedAtMs({ iat: 1764201600, jti: createJti(1764201600250) }); // 1764201600250
 * issuedAtMs({ iat: 1764201600, jti: "my-own-id" });             // 1764201600000
 */
export function issuedAtMs(claims: { iat: number; jti: string }): number {
  const second = claims.iat * 1000;
  if (claims.jti.length !== JTI_LENGTH || !/^[A-Za-z0-9_-]+$/.test(claims.jti)) return second;
  const minted = Buffer.from(claims.jti, "base64url").readUIntBE(0, TIMESTAMP_BYTES);
  return minted >= second && minted < second + 1000 ? minted : second;
}

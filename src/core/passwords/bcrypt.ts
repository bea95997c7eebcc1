import { timingSafeEqual } from "node:crypto";
import { loadOnce } from "./load-once.js";
import type { SchemeVerification } from "./scheme-verification.js";

/**
 * bcrypt allows cost 31 (2^31 rounds, days of CPU). Real deployments use 10-14; a stored
 * hash above this is refused rather than letting one login run for minutes.
 */
export const BCRYPT_MAX_COST = 15;

// $2a$, $2b$ and $2y$ differ only in historical bugs of other implementations; all three
// hash identically for valid UTF-8 input. The 53 characters are 22 of salt + 31 of checksum.
const BCRYPT_PATTERN = /^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$/;
const SETTING_LENGTH = 29; // "$2b$12$" + 22 salt characters

// Only systems that import bcrypt hashes from elsewhere need bcryptjs: load it on the first
// bcrypt verification, not when the core is imported.
const loadBcrypt = loadOnce(() => import("bcryptjs"));

/**
 * Whether a bcrypt string is one Tessera can ever verify: the `$2a$/$2b$/$2y$` shape and a cost
 * from 4 to {@link BCRYPT_MAX_COST} (a higher cost would take minutes per login and is refused).
 *
 * @example
 * isVerifiableBcrypt("$2b$31$..."); // false
 */
export function isVerifiableBcrypt(hash: string): boolean {
  const match = BCRYPT_PATTERN.exec(hash);
  const cost = Number(match?.[1]);
  return match !== null && cost >= 4 && cost <= BCRYPT_MAX_COST;
}

/**
 * Checks a password against a `$2a$`/`$2b$`/`$2y$` bcrypt hash (bcryptjs, which works in
 * slices and yields to the event loop), comparing the checksums in constant time.
 * Like every bcrypt, only the first 72 bytes of the password count.
 *
 * @example
 * await verifyBcrypt("$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"); // "match"
 */
export async function verifyBcrypt(hash: string, password: string): Promise<SchemeVerification> {
  const match = BCRYPT_PATTERN.exec(hash);
  const cost = Number(match?.[1]);
  if (!match || cost < 4 || cost > BCRYPT_MAX_COST) return "malformed";
  const { hash: bcryptHash } = await loadBcrypt();
  const computed = await bcryptHash(password, hash.slice(0, SETTING_LENGTH));
  // Compare only the checksum: the salt's last character has unused bits that encoders
  // may canonicalise differently, and it is not secret anyway.
  const expected = Buffer.from(hash.slice(SETTING_LENGTH), "latin1");
  const actual = Buffer.from(computed.slice(SETTING_LENGTH), "latin1");
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? "match" : "mismatch";
}

// Werkzeug's `generate_password_hash` formats (werkzeug.security):
//   pbkdf2:<hash>:<iterations>$<salt>$<hex>   (hashlib.pbkdf2_hmac, key length = digest size)
//   scrypt:<N>:<r>:<p>$<salt>$<hex>           (hashlib.scrypt, 64-byte key)
// The salt is used as the UTF-8 bytes of the salt *string* (werkzeug never decodes it),
// and the hex is lower-case, compared by werkzeug as a string.

import { pbkdf2, scrypt, timingSafeEqual } from "node:crypto";
import type { SchemeVerification } from "./scheme-verification.js";

/**
 * Iterations assumed for a `pbkdf2:sha256$salt$hex` string without a count. Werkzeug
 * itself always writes the count; such strings come from hand-rolled exporters that relied
 * on werkzeug 2.0-2.2's default, 260,000 (2.3 moved to 600,000, 3.1 to 1,000,000).
 */
export const WERKZEUG_PBKDF2_DEFAULT_ITERATIONS = 260_000;

/** Refuse stored hashes asking for more work than this (werkzeug 3.1 writes 1,000,000). */
export const WERKZEUG_PBKDF2_MAX_ITERATIONS = 10_000_000;

/** Refuse scrypt parameters needing more memory than this (werkzeug's default needs 32 MiB). */
export const WERKZEUG_SCRYPT_MAX_MEMORY_BYTES = 1024 * 1024 * 1024;

const PBKDF2_DIGEST_BYTES: Record<string, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };
const SCRYPT_KEY_BYTES = 64;

const PBKDF2_PATTERN = /^pbkdf2(?::([a-z0-9]+)(?::([0-9]{1,10}))?)?\$([^$]*)\$([0-9a-f]+)$/;
const SCRYPT_PATTERN = /^scrypt(?::([0-9]{1,10}):([0-9]{1,10}):([0-9]{1,10}))?\$([^$]*)\$([0-9a-f]+)$/;

function compareHex(actual: Buffer, expectedHex: string): SchemeVerification {
  const expected = Buffer.from(expectedHex, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? "match" : "mismatch";
}

/** Options for {@link verifyWerkzeugPbkdf2}. */
export interface WerkzeugPbkdf2Options {
  /** Iterations for a string that names none. Default {@link WERKZEUG_PBKDF2_DEFAULT_ITERATIONS}. */
  defaultIterations?: number;
}

/**
 * Checks a password against a werkzeug `pbkdf2:...` hash. PBKDF2 runs on the libuv
 * thread pool, so the event loop is not blocked.
 *
 * @example
 * await verifyWerkzeugPbkdf2("pbkdf2:sha256:600000$salt$<64 hex>", "secret"); // "match" | "mismatch"
 */
export async function verifyWerkzeugPbkdf2(
  hash: string,
  password: string,
  options: WerkzeugPbkdf2Options = {},
): Promise<SchemeVerification> {
  const match = PBKDF2_PATTERN.exec(hash);
  if (!match) return "malformed";
  const [, digestName = "sha256", iterationsText, salt = "", hex = ""] = match;
  const keyBytes = PBKDF2_DIGEST_BYTES[digestName];
  const iterations =
    iterationsText === undefined ? (options.defaultIterations ?? WERKZEUG_PBKDF2_DEFAULT_ITERATIONS) : Number(iterationsText);
  if (keyBytes === undefined || hex.length !== keyBytes * 2) return "malformed";
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > WERKZEUG_PBKDF2_MAX_ITERATIONS) return "malformed";
  const actual = await new Promise<Buffer>((resolve, reject) => {
    pbkdf2(Buffer.from(password, "utf8"), Buffer.from(salt, "utf8"), iterations, keyBytes, digestName, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
  return compareHex(actual, hex);
}

/**
 * Checks a password against a werkzeug `scrypt:N:r:p$...` hash (plain `scrypt$...` means
 * werkzeug's default 32768:8:1). scrypt runs on the libuv thread pool.
 *
 * @example
 * await verifyWerkzeugScrypt("scrypt:32768:8:1$salt$<128 hex>", "secret"); // "match" | "mismatch"
 */
export async function verifyWerkzeugScrypt(hash: string, password: string): Promise<SchemeVerification> {
  const match = SCRYPT_PATTERN.exec(hash);
  if (!match) return "malformed";
  const [, nText = "32768", rText = "8", pText = "1", salt = "", hex = ""] = match;
  const [cost, blockSize, parallelization] = [Number(nText), Number(rText), Number(pText)];
  if (hex.length !== SCRYPT_KEY_BYTES * 2) return "malformed";
  // N must be a power of two above 1; r and p at least 1.
  if (cost < 2 || !Number.isInteger(Math.log2(cost)) || blockSize < 1 || parallelization < 1) return "malformed";
  // OpenSSL needs 128*r*(N+p+2) bytes; werkzeug passes maxmem = 132*N*r*p for the same reason.
  const memoryBytes = 128 * blockSize * (cost + parallelization + 2);
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes > WERKZEUG_SCRYPT_MAX_MEMORY_BYTES) return "malformed";
  const actual = await new Promise<Buffer>((resolve, reject) => {
    scrypt(
      Buffer.from(password, "utf8"),
      Buffer.from(salt, "utf8"),
      SCRYPT_KEY_BYTES,
      { N: cost, r: blockSize, p: parallelization, maxmem: memoryBytes + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
  return compareHex(actual, hex);
}

// SHA-crypt ($5$ sha256-crypt, $6$ sha512-crypt) as specified by Ulrich Drepper
// (https://www.akkadia.org/drepper/SHA-crypt.txt), the format of glibc crypt(3) and of
// passlib's sha256_crypt / sha512_crypt (custom_app_context).
//
// Why hand-written: the maintained npm candidates were checked. `sha512crypt-node` and
// `sha512-crypt-ts` cover $6$ only; `unixcrypt@3.0.4` covers both but computes wrong
// hashes for passwords whose UTF-8 length is a multiple of the digest size (32 bytes for
// $5$, 64 for $6$: its steps 10 and 16 drop the last full block; checked against
// libxcrypt's crypt(3)).
// The spec is short and fully pinned by its own test vectors, so it lives here, on
// node:crypto's SHA-2. Only verification is offered: new hashes are argon2id.

import * as nodeCrypto from "node:crypto";
import { createHash, timingSafeEqual } from "node:crypto";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { SchemeVerification } from "./scheme-verification.js";

interface ShaCryptVariant {
  algorithm: "sha256" | "sha512";
  digestBytes: number;
  checksumChars: number;
  /** Byte triples in output order (spec step 22), then the trailing partial group. */
  encode(digest: Buffer): string;
}

const HASH64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function encode24(value: number, chars: number): string {
  let out = "";
  for (let i = 0; i < chars; i++) {
    out += HASH64[value & 0x3f];
    value >>>= 6;
  }
  return out;
}

function encodeGroups(digest: Buffer, groups: readonly (readonly [number, number, number])[]): string {
  let out = "";
  for (const [a, b, c] of groups) {
    out += encode24(((digest[a] ?? 0) << 16) | ((digest[b] ?? 0) << 8) | (digest[c] ?? 0), 4);
  }
  return out;
}

const SHA256_GROUPS = [
  [0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14],
  [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29],
] as const;

const SHA512_GROUPS = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48],
  [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13],
  [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
] as const;

const VARIANTS: Record<"5" | "6", ShaCryptVariant> = {
  "5": {
    algorithm: "sha256",
    digestBytes: 32,
    checksumChars: 43,
    encode: (d) => encodeGroups(d, SHA256_GROUPS) + encode24(((d[31] ?? 0) << 8) | (d[30] ?? 0), 3),
  },
  "6": {
    algorithm: "sha512",
    digestBytes: 64,
    checksumChars: 86,
    encode: (d) => encodeGroups(d, SHA512_GROUPS) + encode24(d[63] ?? 0, 2),
  },
};

// crypto.hash() (one-shot, Node >= 20.12) with a fallback for older Node 20 releases.
const digestOnce: (algorithm: string, data: Buffer) => Buffer =
  typeof nodeCrypto.hash === "function"
    ? (algorithm, data) => nodeCrypto.hash(algorithm, data, "buffer")
    : (algorithm, data) => createHash(algorithm).update(data).digest();

const ROUNDS_DEFAULT = 5000;
const ROUNDS_MIN = 1000;
/**
 * The spec allows 999,999,999 rounds; a stored hash asking for more than this is refused
 * rather than letting one login burn minutes of CPU. passlib's defaults are 535,000 ($5$)
 * and 656,000 ($6$), well below.
 */
export const SHA_CRYPT_MAX_ROUNDS = 1_000_000;
/**
 * Each round hashes the password twice, so the cost is rounds x length: a 4 KiB guess against a
 * passlib-default hash burns seconds. No legitimate imported password is this long.
 */
export const SHA_CRYPT_MAX_PASSWORD_BYTES = 256;
/**
 * The rounds loop is synchronous hashing; yielding every slice keeps the event loop
 * serving other requests while a legacy hash is checked (a slice is a few milliseconds).
 */
const ROUNDS_PER_SLICE = 10_000;

const SHA_CRYPT_PATTERN = /^\$([56])\$(?:rounds=([1-9][0-9]{0,9})\$)?([./0-9A-Za-z]{0,16})\$([./0-9A-Za-z]+)$/;

/** A parsed `$5$`/`$6$` string. */
export interface ShaCryptHash {
  variant: "5" | "6";
  rounds: number;
  salt: string;
  checksum: string;
}

/**
 * Parses a `$5$[rounds=N$]salt$checksum` or `$6$...` string, or returns null when it is not
 * one. Rounds below the spec minimum are raised to 1000 as glibc does.
 *
 * @example
 * parseShaCryptHash("$6$rounds=656000$salt$...")?.rounds; // 656000
 */
export function parseShaCryptHash(hash: string): ShaCryptHash | null {
  const match = SHA_CRYPT_PATTERN.exec(hash);
  if (!match) return null;
  const [, id, roundsText, salt, checksum] = match;
  if ((id !== "5" && id !== "6") || salt === undefined || checksum === undefined) return null;
  if (checksum.length !== VARIANTS[id].checksumChars) return null;
  const rounds = roundsText === undefined ? ROUNDS_DEFAULT : Math.max(ROUNDS_MIN, Number(roundsText));
  if (rounds > SHA_CRYPT_MAX_ROUNDS) return null;
  return { variant: id, rounds, salt, checksum };
}

function repeatDigest(digest: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += digest.length) {
    digest.copy(out, offset, 0, Math.min(digest.length, length - offset));
  }
  return out;
}

/**
 * Computes the SHA-crypt checksum (the part after the last `$`) for a password.
 * Steps are numbered as in the spec.
 *
 * @example
 * await computeShaCryptChecksum({ variant: "5", rounds: 5000, salt: "saltstring" }, "Hello world!");
 * // "5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"
 */
export async function computeShaCryptChecksum(
  params: Pick<ShaCryptHash, "variant" | "rounds" | "salt">,
  password: string,
): Promise<string> {
  const variant = VARIANTS[params.variant];
  const { algorithm, digestBytes } = variant;
  const key = Buffer.from(password, "utf8");
  const salt = Buffer.from(params.salt, "utf8");

  // Steps 4-8: digest B = H(key salt key).
  const digestB = createHash(algorithm).update(key).update(salt).update(key).digest();

  // Steps 1-3 and 9-12: digest A.
  const hashA = createHash(algorithm).update(key).update(salt);
  let remaining = key.length;
  for (; remaining > digestBytes; remaining -= digestBytes) hashA.update(digestB);
  hashA.update(digestB.subarray(0, remaining));
  for (let bits = key.length; bits > 0; bits >>>= 1) hashA.update(bits & 1 ? digestB : key);
  let digest: Buffer = hashA.digest();

  // Steps 13-16: byte sequence P from digest DP = H(key repeated len(key) times).
  const hashDP = createHash(algorithm);
  for (let i = 0; i < key.length; i++) hashDP.update(key);
  const sequenceP = repeatDigest(hashDP.digest(), key.length);

  // Steps 17-20: byte sequence S from digest DS = H(salt repeated 16 + A[0] times).
  const hashDS = createHash(algorithm);
  const saltRepeats = 16 + (digest[0] ?? 0);
  for (let i = 0; i < saltRepeats; i++) hashDS.update(salt);
  const sequenceS = repeatDigest(hashDS.digest(), salt.length);

  // Step 21: the rounds. Each round's input is laid out in one reused buffer and hashed in
  // one call, about twice as fast as a createHash() per round.
  const input = Buffer.alloc(2 * digestBytes + 2 * key.length + salt.length);
  for (let round = 0; round < params.rounds; round++) {
    if (round > 0 && round % ROUNDS_PER_SLICE === 0) await yieldToEventLoop();
    let length = (round & 1 ? sequenceP : digest).copy(input, 0);
    if (round % 3 !== 0) length += sequenceS.copy(input, length);
    if (round % 7 !== 0) length += sequenceP.copy(input, length);
    length += (round & 1 ? digest : sequenceP).copy(input, length);
    digest = digestOnce(algorithm, input.subarray(0, length));
  }

  // Step 22: the custom base-64 encoding.
  return variant.encode(digest);
}

/**
 * Checks a password against a `$5$`/`$6$` hash, comparing checksums in constant time.
 *
 * @example
 * await verifyShaCrypt("$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", "Hello world!"); // "match"
 */
export async function verifyShaCrypt(hash: string, password: string): Promise<SchemeVerification> {
  const parsed = parseShaCryptHash(hash);
  if (!parsed) return "malformed";
  if (Buffer.byteLength(password, "utf8") > SHA_CRYPT_MAX_PASSWORD_BYTES) return "mismatch";
  const actual = await computeShaCryptChecksum(parsed, password);
  // Both sides are ASCII of the variant's fixed length (checked by the parser).
  return timingSafeEqual(Buffer.from(actual, "latin1"), Buffer.from(parsed.checksum, "latin1")) ? "match" : "mismatch";
}

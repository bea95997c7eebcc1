import { timingSafeEqual } from "node:crypto";
import { hash as argon2Hash, hashRaw, parseOptions } from "@node-rs/argon2";
import type { Algorithm, ParsedHashOptions, Version } from "@node-rs/argon2";
import type { SchemeVerification } from "./scheme-verification.js";

// @node-rs/argon2 declares these as ambient const enums, which isolatedModules cannot
// read; the numbers are the binding's own (Argon2d = 0, Argon2i = 1, Argon2id = 2).
const ARGON2ID = 2 as Algorithm;
const VERSION_0X13 = 1 as Version;

/** Raw output length of new hashes, bytes (the PHC/OWASP norm). */
export const ARGON2_OUTPUT_BYTES = 32;
/** Salt length of new hashes, bytes (what @node-rs/argon2 generates). */
export const ARGON2_SALT_BYTES = 16;

/**
 * Bounds on what a *stored* hash may ask for. A PHC string can name up to 4 TiB of memory;
 * allocating that would take the process down. 2 GiB is RFC 9106's first recommended
 * option; memory x passes is capped at four times that.
 */
export const ARGON2_MAX_MEMORY_KIB = 2 * 1024 * 1024;
export const ARGON2_MAX_WORK_KIB_PASSES = 4 * ARGON2_MAX_MEMORY_KIB;
const MAX_OUTPUT_BYTES = 1024;

/** Argon2 cost parameters, as in the PHC string: `m` KiB, `t` passes, `p` lanes. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * The parameters a stored argon2 PHC string was made with, or null when it does not parse.
 *
 * @example
 * readArgon2Params("$argon2id$v=19$m=19456,t=2,p=1$...$...")?.memoryCost; // 19456
 */
export function readArgon2Params(hash: string): ParsedHashOptions | null {
  try {
    return parseOptions(hash);
  } catch {
    return null;
  }
}

/** Whether parsed options describe argon2id version 0x13 (the only variant we write). */
export function isCurrentArgon2id(params: ParsedHashOptions): boolean {
  return params.algorithm === ARGON2ID && params.version === VERSION_0X13;
}

/**
 * Hashes a password with argon2id into a PHC string. Runs on @node-rs/argon2's thread
 * pool, not on the event loop; the 16-byte salt comes from the OS random source.
 *
 * @example
 * await hashArgon2id("correct horse", { memoryCost: 19456, timeCost: 2, parallelism: 1 });
 * // "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"
 */
export function hashArgon2id(password: string, params: Argon2Params): Promise<string> {
  return argon2Hash(password, {
    algorithm: ARGON2ID,
    version: VERSION_0X13,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    outputLen: ARGON2_OUTPUT_BYTES,
  });
}

const B64_SEGMENT = /^[A-Za-z0-9+/]+$/;

/**
 * Checks a password against an argon2id/argon2i/argon2d PHC string. The raw hash is
 * recomputed with the stored parameters and compared with `crypto.timingSafeEqual` here,
 * so constant time does not rest on the binding's own comparison.
 *
 * @example
 * await verifyArgon2("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password"); // "match"
 */
export async function verifyArgon2(hash: string, password: string): Promise<SchemeVerification> {
  const params = readArgon2Params(hash);
  if (!params) return "malformed";
  if (
    params.memoryCost > ARGON2_MAX_MEMORY_KIB ||
    params.memoryCost * params.timeCost > ARGON2_MAX_WORK_KIB_PASSES ||
    params.outputLen > MAX_OUTPUT_BYTES
  ) {
    return "malformed";
  }
  const segments = hash.split("$");
  const saltText = segments.at(-2) ?? "";
  const expectedText = segments.at(-1) ?? "";
  if (!B64_SEGMENT.test(saltText) || !B64_SEGMENT.test(expectedText)) return "malformed";
  const salt = Buffer.from(saltText, "base64");
  const expected = Buffer.from(expectedText, "base64");
  if (salt.length !== params.saltLen || expected.length !== params.outputLen) return "malformed";
  const actual = await hashRaw(password, {
    algorithm: params.algorithm,
    version: params.version,
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    outputLen: params.outputLen,
    salt,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? "match" : "mismatch";
}

import { timingSafeEqual } from "node:crypto";
import type { Algorithm, Version } from "@node-rs/argon2";
import { loadOnce } from "./load-once.js";
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

// The native binding is loaded on the first hash or verification, not when the core is
// imported: an app that only verifies access tokens never pays for it (or needs it to load).
const loadArgon2 = loadOnce(() => import("@node-rs/argon2"));

/** Argon2 cost parameters, as in the PHC string: `m` KiB, `t` passes, `p` lanes. */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** What a stored argon2 PHC string says about itself, read without the native binding. */
export interface Argon2HashParams extends Argon2Params {
  variant: "argon2id" | "argon2i" | "argon2d";
  /** 0x10 (16) when the string has no `v=`, as the reference encoder wrote before 1.3. */
  version: 16 | 19;
  saltLen: number;
  outputLen: number;
}

// The canonical PHC form every argon2 encoder writes (reference C, argon2-cffi, passlib,
// node-argon2, @node-rs/argon2): m, t, p in that order, then optional keyid/data, numbers
// without leading zeros. The binding accepts a few more spellings (params in any order,
// duplicates); those parse as null here, so needsRehash says true and the next login
// replaces them, which is the safe direction.
const PHC_PATTERN =
  /^\$(argon2id|argon2i|argon2d)(?:\$v=(16|19))?\$m=(0|[1-9][0-9]{0,9}),t=(0|[1-9][0-9]{0,9}),p=(0|[1-9][0-9]{0,9})(?:,keyid=[A-Za-z0-9+/]*)?(?:,data=[A-Za-z0-9+/]*)?\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const MAX_U32 = 0xffff_ffff;
const MAX_LANES = 0xff_ffff;
const MIN_SALT_BYTES = 8;
const MIN_OUTPUT_BYTES = 4;

/** Decoded length of unpadded canonical base64 (unused trailing bits zero), or -1. */
function base64DecodedLength(text: string): number {
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64").replace(/=+$/, "") === text ? bytes.length : -1;
}

/**
 * The parameters a stored argon2 PHC string was made with, or null when it is not a
 * canonical argon2 PHC string. Pure JavaScript and synchronous, so deciding whether a hash
 * needs replacing never loads the native binding.
 *
 * @example
 * readArgon2Params("$argon2id$v=19$m=19456,t=2,p=1$...$...")?.memoryCost; // 19456
 */
export function readArgon2Params(hash: string): Argon2HashParams | null {
  if (typeof hash !== "string") return null;
  const match = PHC_PATTERN.exec(hash);
  if (!match) return null;
  const [, variant, version, m, t, p, salt, output] = match;
  const memoryCost = Number(m);
  const timeCost = Number(t);
  const parallelism = Number(p);
  const saltLen = base64DecodedLength(salt ?? "");
  const outputLen = base64DecodedLength(output ?? "");
  // Argon2's own lower bounds (RFC 9106 section 3.1), which the binding enforces too.
  if (parallelism < 1 || parallelism > MAX_LANES || timeCost < 1 || timeCost > MAX_U32) return null;
  if (memoryCost < 8 * parallelism || memoryCost > MAX_U32 || saltLen < MIN_SALT_BYTES || outputLen < MIN_OUTPUT_BYTES) return null;
  return {
    variant: variant as Argon2HashParams["variant"],
    version: version === "19" ? 19 : 16,
    memoryCost,
    timeCost,
    parallelism,
    saltLen,
    outputLen,
  };
}

/** Whether parsed parameters describe argon2id version 0x13 (the only variant we write). */
export function isCurrentArgon2id(params: Argon2HashParams): boolean {
  return params.variant === "argon2id" && params.version === 19;
}

/**
 * Hashes a password with argon2id into a PHC string. Runs on @node-rs/argon2's thread
 * pool, not on the event loop; the 16-byte salt comes from the OS random source.
 *
 * @example
 * await hashArgon2id("correct horse", { memoryCost: 19456, timeCost: 2, parallelism: 1 });
 * // "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"
 */
export async function hashArgon2id(password: string, params: Argon2Params): Promise<string> {
  const { hash } = await loadArgon2();
  return hash(password, {
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
  const { hashRaw, parseOptions } = await loadArgon2();
  let params: ReturnType<typeof parseOptions>;
  try {
    // The binding's own parser, so what verifies is exactly what verified before.
    params = parseOptions(hash);
  } catch {
    return "malformed";
  }
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

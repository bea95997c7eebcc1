import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { BackendUnavailableError, ConfigError } from "../errors.js";
import {
  ARGON2_MAX_MEMORY_KIB,
  ARGON2_MAX_WORK_KIB_PASSES,
  ARGON2_OUTPUT_BYTES,
  ARGON2_SALT_BYTES,
  hashArgon2id,
  isCurrentArgon2id,
  readArgon2Params,
  verifyArgon2,
} from "./argon2.js";
import type { Argon2Params } from "./argon2.js";
import { createConcurrencyLimit } from "./concurrency-limit.js";
import { identifyHashScheme } from "./identify-scheme.js";
import type { SchemeVerification } from "./scheme-verification.js";
import { verifyLegacyHash } from "./legacy-hash-pool.js";
import { WERKZEUG_PBKDF2_DEFAULT_ITERATIONS, verifyWerkzeugPbkdf2, verifyWerkzeugScrypt } from "./werkzeug.js";

/**
 * OWASP Password Storage Cheat Sheet's argon2id baseline: 19 MiB, 2 passes, 1 lane.
 *
 * @example
 * createPasswordHasher({ ...DEFAULT_ARGON2_PARAMS, memoryCost: 65536 });
 */
export const DEFAULT_ARGON2_PARAMS: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

/**
 * Longest password accepted for hashing or verification, in UTF-8 bytes (passlib's limit).
 * 1024 code points, the policy maximum, always fit. It bounds SHA-crypt, whose cost grows
 * with the square of the password length.
 */
export const PASSWORD_MAX_BYTES = 4096;

/** Options of {@link createPasswordHasher}; argon2id costs of *new* hashes. */
export interface PasswordHasherOptions {
  /** Memory in KiB (`m`). Default 19456 (19 MiB). */
  memoryCost?: number;
  /** Passes (`t`). Default 2. */
  timeCost?: number;
  /** Lanes (`p`). Default 1. */
  parallelism?: number;
  /**
   * Iterations assumed for a werkzeug `pbkdf2:sha256$salt$hex` hash that names none.
   * Default 260,000 (werkzeug 2.0-2.2); set it to what the exporting system used.
   */
  werkzeugPbkdf2DefaultIterations?: number;
  /**
   * Hashes and verifications running at once; the rest queue. Default: cores - 1 (at least 1),
   * so a login storm leaves a core to the requests that only check tokens.
   */
  maxConcurrency?: number;
  /**
   * Hashes and verifications waiting for a slot; past it, one more is refused at once with
   * `BackendUnavailableError` (503 `backend_unavailable`). Default 256 (about 3 s of work on one core).
   */
  maxQueued?: number;
}

/** Outcome of {@link PasswordHasher.verify}. */
export type PasswordVerifyResult = { ok: true; needsRehash: boolean } | { ok: false };

/** Hashes new passwords with argon2id and verifies every supported scheme. */
export interface PasswordHasher {
  /** Hashes a password into an argon2id PHC string. Throws RangeError past {@link PASSWORD_MAX_BYTES}. */
  hash(password: string): Promise<string>;
  /**
   * `ok` plus whether to store a fresh hash, when the password matches; works for every
   * supported scheme. A malformed or unknown hash is `{ ok: false }`, never a throw, and
   * costs one dummy verification like an unknown user.
   */
  verify(hash: string, password: string): Promise<PasswordVerifyResult>;
  /** Spends the time of one real argon2id verification, for unknown users. Always `{ ok: false }`. */
  verifyDummy(password: string): Promise<{ ok: false }>;
  /** True for any hash that is not argon2id v19 at least as strong as the configured costs. */
  needsRehash(hash: string): boolean;
}

function readPositiveInteger(name: string, value: number | undefined, fallback: number, max: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 1 || resolved > max) {
    throw new ConfigError(name, `expected an integer from 1 to ${max}`);
  }
  return resolved;
}

function resolveParams(options: PasswordHasherOptions): Argon2Params {
  const parallelism = readPositiveInteger("parallelism", options.parallelism, DEFAULT_ARGON2_PARAMS.parallelism, 255);
  const memoryCost = readPositiveInteger("memoryCost", options.memoryCost, DEFAULT_ARGON2_PARAMS.memoryCost, ARGON2_MAX_MEMORY_KIB);
  const timeCost = readPositiveInteger("timeCost", options.timeCost, DEFAULT_ARGON2_PARAMS.timeCost, 1_000_000);
  if (memoryCost < 8 * parallelism) throw new ConfigError("memoryCost", "argon2 needs at least 8 KiB per lane");
  // Our own verifier refuses hashes past these bounds (argon2.ts), so never write one.
  if (memoryCost * timeCost > ARGON2_MAX_WORK_KIB_PASSES) {
    throw new ConfigError("timeCost", `memoryCost x timeCost must not exceed ${ARGON2_MAX_WORK_KIB_PASSES}`);
  }
  return { memoryCost, timeCost, parallelism };
}

function isTooLong(password: string): boolean {
  // Decide from the UTF-16 length when it can (a code unit is 1 to 3 UTF-8 bytes), so a
  // huge string is refused without being encoded.
  if (password.length > PASSWORD_MAX_BYTES) return true;
  if (password.length * 3 <= PASSWORD_MAX_BYTES) return false;
  return Buffer.byteLength(password, "utf8") > PASSWORD_MAX_BYTES;
}

/**
 * Creates a password hasher. Validates options at once (throws ConfigError).
 *
 * @example
 * const passwords = createPasswordHasher();
 * const user = await store.getUserByUsername(username);
 * const result = user ? await passwords.verify(user.passwordHash, password) : await passwords.verifyDummy(password);
 * if (user && result.ok && result.needsRehash) await store.setPasswordHash(user.id, await passwords.hash(password));
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const params = resolveParams(options);
  const pbkdf2DefaultIterations = readPositiveInteger(
    "werkzeugPbkdf2DefaultIterations",
    options.werkzeugPbkdf2DefaultIterations,
    WERKZEUG_PBKDF2_DEFAULT_ITERATIONS,
    10_000_000,
  );
  const limited = createConcurrencyLimit(
    readPositiveInteger("maxConcurrency", options.maxConcurrency, Math.max(1, availableParallelism() - 1), 1024),
    readPositiveInteger("maxQueued", options.maxQueued, 256, 1_000_000),
  );
  let dummyHash: Promise<string> | undefined;

  function getDummyHash(): Promise<string> {
    // Made once, lazily, with the configured costs, so verifying against it costs what
    // verifying a real user's current hash costs. Its password is random and discarded.
    dummyHash ??= hashArgon2id(randomBytes(32).toString("base64"), params).catch((error: unknown) => {
      dummyHash = undefined;
      throw error;
    });
    return dummyHash;
  }

  async function verifyDummy(password: string): Promise<{ ok: false }> {
    const dummy = await getDummyHash();
    await limited(() => verifyArgon2(dummy, typeof password === "string" ? password : ""));
    return { ok: false };
  }

  async function verifyScheme(hash: string, password: string): Promise<SchemeVerification> {
    switch (identifyHashScheme(hash)) {
      case "argon2id":
      case "argon2i":
      case "argon2d":
        return verifyArgon2(hash, password);
      case "bcrypt":
        return verifyLegacyHash("bcrypt", hash, password);
      case "sha256-crypt":
      case "sha512-crypt":
        return verifyLegacyHash("sha-crypt", hash, password);
      case "werkzeug-pbkdf2":
        return verifyWerkzeugPbkdf2(hash, password, { defaultIterations: pbkdf2DefaultIterations });
      case "werkzeug-scrypt":
        return verifyWerkzeugScrypt(hash, password);
      case null:
        return "malformed";
    }
  }

  function needsRehash(hash: string): boolean {
    if (identifyHashScheme(hash) !== "argon2id") return true;
    const stored = readArgon2Params(hash);
    if (!stored || !isCurrentArgon2id(stored)) return true;
    return (
      stored.memoryCost < params.memoryCost ||
      stored.timeCost < params.timeCost ||
      stored.parallelism < params.parallelism ||
      stored.outputLen < ARGON2_OUTPUT_BYTES ||
      stored.saltLen < ARGON2_SALT_BYTES
    );
  }

  return {
    async hash(password) {
      if (typeof password !== "string") throw new TypeError("password must be a string");
      if (isTooLong(password)) throw new RangeError(`password exceeds ${PASSWORD_MAX_BYTES} bytes`);
      return limited(() => hashArgon2id(password, params));
    },

    async verify(hash, password) {
      if (typeof hash !== "string" || typeof password !== "string" || isTooLong(password)) {
        return verifyDummy(password);
      }
      let outcome: SchemeVerification;
      try {
        outcome = await limited(() => verifyScheme(hash, password));
      } catch (error) {
        // A worker that could not run is an outage (503), not a wrong password.
        if (error instanceof BackendUnavailableError) throw error;
        // A hash the scheme's primitive rejects (e.g. scrypt parameters OpenSSL refuses)
        // is as unusable as one that fails to parse.
        outcome = "malformed";
      }
      if (outcome === "malformed") return verifyDummy(password);
      if (outcome === "mismatch") {
        // An unknown user costs one argon2id verification; a cheap legacy hash (sha-crypt at its
        // minimum rounds) fails faster than that, which would tell that the user exists. A
        // failure against any scheme but argon2id pays the dummy verification too.
        if (!identifyHashScheme(hash)?.startsWith("argon2")) await verifyDummy(password);
        return { ok: false };
      }
      return { ok: true, needsRehash: needsRehash(hash) };
    },

    verifyDummy,
    needsRehash,
  };
}

/**
 * Hashes a password with argon2id (OWASP costs unless given).
 *
 * @example
 * const passwordHash = await hashPassword("correct horse battery staple");
 */
export function hashPassword(password: string, options?: PasswordHasherOptions): Promise<string> {
  return createPasswordHasher(options).hash(password);
}

let defaultHasher: PasswordHasher | undefined;

/**
 * Whether a password matches a stored hash of any supported scheme. Never throws for a bad
 * hash. Use {@link createPasswordHasher} to also learn whether to rehash.
 *
 * @example
 * if (await verifyPassword(user.passwordHash, password)) signIn(user);
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  defaultHasher ??= createPasswordHasher();
  return (await defaultHasher.verify(hash, password)).ok;
}

/**
 * Whether a stored hash should be replaced by a fresh argon2id hash at the next successful
 * login: any other scheme (bcrypt, sha-crypt, werkzeug), or argon2id with weaker costs than
 * `options` (the OWASP defaults unless given).
 *
 * @example
 * if (await verifyPassword(user.passwordHash, password) && needsRehash(user.passwordHash)) {
 *   await store.setPasswordHash(user.id, await hashPassword(password), Date.now());
 * }
 */
export function needsRehash(hash: string, options?: PasswordHasherOptions): boolean {
  if (options !== undefined) return createPasswordHasher(options).needsRehash(hash);
  defaultHasher ??= createPasswordHasher();
  return defaultHasher.needsRehash(hash);
}

import { systemClock, type Clock } from "../clock.js";
import { ConfigError } from "../errors.js";
import type { KeyRing, RingKey } from "./key-ring.js";
import {
  resolveVerificationChecks,
  verifyWithKeyRing,
  type AccessTokenClaims,
  type VerifyAccessTokenResult,
} from "./verify-access-token.js";

/** Default number of verified tokens kept. */
export const DEFAULT_VERIFIED_CACHE_SIZE = 10_000;

export interface AccessTokenVerifierOptions {
  keyRing: KeyRing;
  issuer: string;
  audience: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** Clock leeway for `nbf`, 0 to 60 s (`exp` gets none). Default 5. */
  leewaySeconds?: number;
  /** Verified tokens remembered (LRU); 0 disables the cache. Default {@link DEFAULT_VERIFIED_CACHE_SIZE}. */
  cacheSize?: number;
}

/**
 * A verifier with its cache; see {@link createAccessTokenVerifier}.
 *
 * @example
 * setInterval(async () => verifier.setKeyRing(createKeyRing(await store.listSigningKeys())), 60_000);
 */
export interface AccessTokenVerifier {
  /** Same contract as `verifyAccessToken`, with the verifier's clock. */
  verify(token: string): VerifyAccessTokenResult;
  /**
   * Swaps the key ring (after a rotation or a periodic reload). Cached tokens survive only
   * if their key is still in the new ring with the same material, and their lifetime is
   * re-bounded by the key's new `expiresAt`.
   */
  setKeyRing(keyRing: KeyRing): void;
  readonly keyRing: KeyRing;
  /** Forgets every cached verification. */
  clearCache(): void;
  /**
   * What the verifier has done so far: answers served from the cache, and tokens verified in
   * full (signature, claims). For tests and metrics; cheap to read.
   */
  stats(): AccessTokenVerifierStats;
}

/** Counters of {@link AccessTokenVerifier.stats}. */
export interface AccessTokenVerifierStats {
  cacheHits: number;
  fullVerifications: number;
  cachedTokens: number;
}

interface CacheEntry {
  readonly result: { readonly ok: true; readonly claims: AccessTokenClaims };
  readonly kid: string;
  /** When `exp` passes, in epoch ms. */
  readonly expValidUntil: number;
  /** min(expValidUntil, key expiry): the entry is never served at or after this. */
  validUntil: number;
}

/**
 * A verifier bound to one key ring and one issuer/audience, with a bounded cache of
 * verified tokens keyed by the exact token string: a repeated token costs one map lookup
 * and one clock read (no base64, no JSON, no crypto). Entries are never served once the
 * token's `exp` or its key's `expiresAt` has passed. Only successes are
 * cached. Throws ConfigError for bad options.
 *
 * @example
 * const verifier = createAccessTokenVerifier({ keyRing, issuer: "https://auth.example", audience: "tessera" });
 * const result = verifier.verify(token);
 * if (result.ok && !(await isRevoked(result.claims.jti, result.claims.sid))) handle(result.claims);
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const checks = resolveVerificationChecks(options);
  const clock = options.clock ?? systemClock;
  const cacheSize = options.cacheSize ?? DEFAULT_VERIFIED_CACHE_SIZE;
  if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) throw new ConfigError("cacheSize", "expected an integer >= 0");

  let keyRing = options.keyRing;
  let headerMemo = new Map<string, RingKey>();
  // Map iteration order is insertion order, so re-inserting on a hit makes the first key the LRU.
  const cache = new Map<string, CacheEntry>();
  let cacheHits = 0;
  let fullVerifications = 0;

  function verify(token: string): VerifyAccessTokenResult {
    const now = clock.now();
    if (cacheSize > 0) {
      const entry = cache.get(token);
      if (entry !== undefined) {
        cache.delete(token);
        if (now < entry.validUntil) {
          cache.set(token, entry);
          cacheHits += 1;
          return entry.result;
        }
      }
    }
    fullVerifications += 1;
    const verified = verifyWithKeyRing(token, keyRing, checks, now, headerMemo);
    if (!verified.ok) return verified;
    const result = Object.freeze({ ok: true as const, claims: verified.claims });
    if (cacheSize > 0) {
      // valid while floor(now / 1000) < exp, i.e. now < ceil(exp) * 1000
      const expValidUntil = Math.ceil(verified.claims.exp) * 1000;
      const keyExpiresAt = verified.key.expiresAt ?? Number.POSITIVE_INFINITY;
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(token, { result, kid: verified.key.kid, expValidUntil, validUntil: Math.min(expValidUntil, keyExpiresAt) });
    }
    return result;
  }

  function setKeyRing(next: KeyRing): void {
    if (next === keyRing) return;
    const previous = keyRing;
    keyRing = next;
    headerMemo = new Map();
    // Decide once per kid whether its cached tokens stay valid under the new ring.
    const keyExpiry = new Map<string, number | null>();
    let changed = false;
    for (const oldKey of previous.keys) {
      const newKey = next.findKey(oldKey.kid);
      const same =
        newKey !== undefined && newKey.alg === oldKey.alg && newKey.verificationKey.equals(oldKey.verificationKey);
      keyExpiry.set(oldKey.kid, same ? (newKey.expiresAt ?? Number.POSITIVE_INFINITY) : null);
      if (!same || newKey.expiresAt !== oldKey.expiresAt) changed = true;
    }
    // A periodic reload usually finds the same keys: then no cached entry can change, and the
    // cache (up to its full size) is not walked on every reload.
    if (!changed) return;
    for (const [token, entry] of cache) {
      const expiresAt = keyExpiry.get(entry.kid) ?? null;
      if (expiresAt === null) cache.delete(token);
      else entry.validUntil = Math.min(entry.expValidUntil, expiresAt);
    }
  }

  return {
    verify,
    setKeyRing,
    get keyRing() {
      return keyRing;
    },
    clearCache: () => cache.clear(),
    stats: () => ({ cacheHits, fullVerifications, cachedTokens: cache.size }),
  };
}

import { systemClock, type Clock } from "../core/clock.js";
import { ConfigError } from "../core/errors.js";
import type { SigningKeyRecord, TokenStore } from "../core/token-store.js";
import {
  createAccessTokenVerifier,
  createKeyRing,
  DEFAULT_VERIFIED_CACHE_SIZE,
  generateSigningKey,
  issueAccessToken,
  type AccessTokenVerifier,
  type IssueAccessTokenResult,
  type JsonWebKeySet,
  type JwtAlg,
  type KeyRing,
  type VerifyAccessTokenResult,
} from "../core/jwt/index.js";

/**
 * The algorithm of the key that signs now, or null when no key signs (an empty store). Callers
 * that leave the algorithm unconfigured keep this one, so restarting never undoes a rotation.
 *
 * @example
 * const alg = (await currentSigningAlg(store)) ?? "EdDSA";
 */
export async function currentSigningAlg(store: Pick<TokenStore, "listSigningKeys">): Promise<JwtAlg | null> {
  return createKeyRing(await store.listSigningKeys()).signingKey?.alg ?? null;
}

/** Options of {@link StoredKeyRing}. */
export interface StoredKeyRingOptions {
  store: TokenStore;
  /** Default: the system clock. */
  clock?: Clock;
  /** The algorithm of new keys; `load()` rotates when the current key has another. */
  alg: JwtAlg;
  issuer: string;
  audience: string;
  /**
   * The longest access-token lifetime: the default and maximum of `issue()`'s `ttlSeconds`,
   * and how long a retired key keeps verifying. Default 900 (15 minutes).
   */
  accessTokenTtlSeconds?: number;
  /** Verified tokens remembered by `verify()`. Default `DEFAULT_VERIFIED_CACHE_SIZE` (10,000). */
  cacheSize?: number;
}

/** What {@link StoredKeyRing.issue} takes; issuer, audience and "now" come from the keys' options. */
export interface IssueOptions {
  /** The user id; stored as a string. */
  sub: string | number;
  /** Space-separated scopes, or a list. Default `""` (no scope). */
  scope?: string | readonly string[];
  /** The session id; leave it out for an app without sessions. */
  sid?: string | number | undefined;
  /** Default and maximum: the keys' `accessTokenTtlSeconds`. */
  ttlSeconds?: number;
  /** Default: 128 random bits. */
  jti?: string;
  /** Claims of the app's own (`identity`, `roles`); they may not override a registered claim. */
  extraClaims?: Readonly<Record<string, unknown>>;
}

interface ResolvedOptions {
  store: TokenStore;
  clock: Clock;
  alg: JwtAlg;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  cacheSize: number;
}

/** How long an instance waits for the elected first key: 50 x 100 ms. */
const FIRST_KEY_WAIT_ATTEMPTS = 50;
const FIRST_KEY_WAIT_MS = 100;

/** The longest access-token TTL any instance may issue (`MAX_ACCESS_TOKEN_TTL_SECONDS`). */
const LONGEST_ACCESS_TOKEN_TTL_SECONDS = 86_400;

/** Unknown `kid`s trigger a reload from the store at most this often (another instance rotated). */
const RELOAD_EVERY_MS = 250;
/** The longest wait between reloads for unknown kids while the store fails. */
const MAX_RELOAD_BACKOFF_MS = 30_000;

/**
 * The key ring as kept in the store: generated on first start, shared by every instance,
 * rotated without breaking tokens already issued, and reloaded when a token names a key
 * this instance has not seen yet. Throws ConfigError for a bad `accessTokenTtlSeconds`.
 *
 * @example
 * const keys = new StoredKeyRing({ store, alg: "EdDSA", issuer: "urn:my-app", audience: "urn:my-app", accessTokenTtlSeconds: 900 });
 * await keys.load();
 * const { token } = keys.issue({ sub: user.id, extraClaims: { identity: user.id } });
 * const verified = keys.verify(token); // { ok: true, claims } or { ok: false, code, reason }
 */
export class StoredKeyRing {
  private verifier: AccessTokenVerifier | null = null;
  private lastReloadAttemptAt = Number.NEGATIVE_INFINITY;
  private failedReloads = 0;
  private reloading: Promise<void> | null = null;
  private readonly options: ResolvedOptions;

  constructor(options: StoredKeyRingOptions) {
    const accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 900;
    if (!Number.isSafeInteger(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) {
      throw new ConfigError("accessTokenTtlSeconds", "expected a positive integer");
    }
    this.options = {
      ...options,
      clock: options.clock ?? systemClock,
      accessTokenTtlSeconds,
      cacheSize: options.cacheSize ?? DEFAULT_VERIFIED_CACHE_SIZE,
    };
  }

  get ring(): KeyRing {
    if (!this.verifier) throw new Error("StoredKeyRing.load() has not run");
    return this.verifier.keyRing;
  }

  /** Loads the ring; on an empty store (or a new algorithm) creates the first key. */
  async load(): Promise<void> {
    await this.reload();
    if (this.ring.keys.length === 0) await this.adoptFirstKey();
    const current = this.ring.signingKey;
    if (current === null || current.alg !== this.options.alg) await this.rotate();
  }

  /**
   * First start on an empty store. Instances starting together must agree on one key: each
   * generating its own would make them sign with different keys and refuse each other's tokens
   * until their next reload. They elect one by its kid (a shared secret row holding only the
   * kid, never key material); the elected instance stores its key and the others wait for it.
   * An elected instance that died before storing its key is replaced after a few seconds.
   */
  private async adoptFirstKey(): Promise<void> {
    const alg = this.options.alg;
    const candidate = await generateSigningKey({ alg, now: this.options.clock.now() });
    const now = this.options.clock.now();
    const claim = await this.options.store.getOrCreateSecret(`first-signing-key-kid:${alg}`, () => `${candidate.kid} ${now}`);
    const [elected = "", claimedAt = "0"] = claim.split(" ");
    // A claim older than the wait is from an earlier start whose keys were since removed.
    const fresh = now - Number(claimedAt) < FIRST_KEY_WAIT_ATTEMPTS * FIRST_KEY_WAIT_MS;
    if (elected !== candidate.kid && fresh) {
      for (let attempt = 0; attempt < FIRST_KEY_WAIT_ATTEMPTS; attempt++) {
        await this.reload();
        if (this.ring.findKey(elected) !== undefined) return;
        await new Promise((resolve) => setTimeout(resolve, FIRST_KEY_WAIT_MS));
      }
    }
    await this.options.store.insertSigningKey(candidate);
    await this.reload();
  }

  /** Re-reads the keys from the store. */
  async reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      const now = this.options.clock.now();
      this.lastReloadAttemptAt = now;
      let records: SigningKeyRecord[];
      try {
        records = await this.options.store.listSigningKeys();
      } catch (error) {
        this.failedReloads += 1;
        throw error;
      }
      this.failedReloads = 0;
      const ring = createKeyRing(records);
      if (this.verifier) this.verifier.setKeyRing(ring);
      else {
        this.verifier = createAccessTokenVerifier({
          keyRing: ring,
          issuer: this.options.issuer,
          audience: this.options.audience,
          clock: this.options.clock,
          cacheSize: this.options.cacheSize,
        });
      }
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  /**
   * Whether an unknown kid justifies asking the store again now: at most every 250 ms, and
   * backing off (doubling up to 30 s) while the store fails, so forged kids cannot hammer a
   * database that is down.
   */
  shouldReloadForUnknownKid(): boolean {
    const wait = Math.min(RELOAD_EVERY_MS * 2 ** this.failedReloads, MAX_RELOAD_BACKOFF_MS);
    return this.options.clock.now() - this.lastReloadAttemptAt >= wait;
  }

  /**
   * Adds a new signing key and retires the current ones: they stop signing now and keep
   * verifying until every token they signed has expired. Other instances (or the CLI) may run
   * with a longer access-token TTL than this process, so by default a retired key verifies for
   * the longest TTL any instance may issue (24 h); `retireAfterSeconds` shortens that when the
   * operator knows every instance's TTL.
   */
  async rotate(options: { alg?: JwtAlg; retireAfterSeconds?: number } = {}): Promise<SigningKeyRecord> {
    const now = this.options.clock.now();
    const alg = options.alg ?? this.options.alg;
    const ring = this.verifier?.keyRing;
    if (!ring) throw new Error("StoredKeyRing.load() has not run");
    const plan =
      ring.keys.length === 0
        ? { newKey: await generateSigningKey({ alg, now }), retired: [] }
        : await ring.planRotation({ alg, now, maxTokenTtlSeconds: Math.max(options.retireAfterSeconds ?? LONGEST_ACCESS_TOKEN_TTL_SECONDS, this.options.accessTokenTtlSeconds) });
    await this.options.store.insertSigningKey(plan.newKey);
    for (const retired of plan.retired) await this.options.store.retireSigningKey(retired.kid, retired.retiredAt, retired.expiresAt);
    await this.reload();
    return plan.newKey;
  }

  /** Verifies with the configured issuer and audience, through the cached verifier. */
  verify(token: string): VerifyAccessTokenResult {
    if (!this.verifier) throw new Error("StoredKeyRing.load() has not run");
    return this.verifier.verify(token);
  }

  /**
   * `issueAccessToken` with the configured issuer, audience and clock. Throws RangeError for a
   * `ttlSeconds` above `accessTokenTtlSeconds`: after a rotation such a token would outlive
   * the key that verifies it.
   */
  issue(options: IssueOptions): IssueAccessTokenResult {
    const { ttlSeconds = this.options.accessTokenTtlSeconds, scope = "", ...rest } = options;
    if (ttlSeconds > this.options.accessTokenTtlSeconds) {
      throw new RangeError("ttlSeconds exceeds the keys' accessTokenTtlSeconds");
    }
    return issueAccessToken(this.ring, {
      ...rest,
      scope,
      ttlSeconds,
      issuer: this.options.issuer,
      audience: this.options.audience,
      now: this.options.clock.now(),
    });
  }

  /** RFC 7517 key set of the public keys still verifying (empty for HS256). */
  jwks(): JsonWebKeySet {
    return this.ring.toJwks({ now: this.options.clock.now() });
  }

  records(): SigningKeyRecord[] {
    return this.ring.toRecords();
  }
}

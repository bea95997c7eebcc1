import type { Clock } from "../clock.js";
import type { AuthStore, SigningKeyRecord } from "../store.js";
import {
  createAccessTokenVerifier,
  createKeyRing,
  generateSigningKey,
  issueAccessToken,
  type AccessTokenVerifier,
  type IssueAccessTokenResult,
  type JsonWebKeySet,
  type JwtAlg,
  type KeyRing,
  type VerifyAccessTokenResult,
} from "../jwt/index.js";

export interface SigningKeysOptions {
  store: AuthStore;
  clock: Clock;
  alg: JwtAlg;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  cacheSize: number;
}

/** Unknown `kid`s trigger a reload from the store at most this often (another instance rotated). */
const RELOAD_EVERY_MS = 1_000;

/**
 * The key ring as kept in the store: generated on first start, shared by every instance,
 * rotated without breaking tokens already issued, and reloaded when a token names a key
 * this instance has not seen yet.
 */
export class SigningKeys {
  private verifier: AccessTokenVerifier | null = null;
  private lastReloadAt = 0;
  private reloading: Promise<void> | null = null;

  constructor(private readonly options: SigningKeysOptions) {}

  get ring(): KeyRing {
    if (!this.verifier) throw new Error("SigningKeys.load() has not run");
    return this.verifier.keyRing;
  }

  /** Loads the ring; on an empty store (or a new algorithm) creates the first key. */
  async load(): Promise<void> {
    await this.reload();
    const current = this.ring.signingKey;
    if (current === null || current.alg !== this.options.alg) await this.rotate();
  }

  /** Re-reads the keys from the store. */
  async reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      const now = this.options.clock.now();
      await this.options.store.deleteExpiredSigningKeys(now);
      const ring = createKeyRing(await this.options.store.listSigningKeys());
      this.lastReloadAt = now;
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

  /** Whether an unknown kid justifies asking the store again now. */
  shouldReloadForUnknownKid(): boolean {
    return this.options.clock.now() - this.lastReloadAt >= RELOAD_EVERY_MS;
  }

  /**
   * Adds a new signing key and retires the current ones: they stop signing now and keep
   * verifying until every token they signed has expired.
   */
  async rotate(options: { alg?: JwtAlg } = {}): Promise<SigningKeyRecord> {
    const now = this.options.clock.now();
    const alg = options.alg ?? this.options.alg;
    const ring = this.verifier?.keyRing;
    if (!ring) throw new Error("SigningKeys.load() has not run");
    const plan =
      ring.keys.length === 0
        ? { newKey: await generateSigningKey({ alg, now }), retired: [] }
        : await ring.planRotation({ alg, now, maxTokenTtlSeconds: this.options.accessTokenTtlSeconds });
    await this.options.store.insertSigningKey(plan.newKey);
    for (const retired of plan.retired) await this.options.store.retireSigningKey(retired.kid, retired.retiredAt, retired.expiresAt);
    await this.reload();
    return plan.newKey;
  }

  verify(token: string): VerifyAccessTokenResult {
    if (!this.verifier) throw new Error("SigningKeys.load() has not run");
    return this.verifier.verify(token);
  }

  issue(claims: { sub: string; scope: string; sid: string; ttlSeconds: number }): IssueAccessTokenResult {
    return issueAccessToken(this.ring, {
      ...claims,
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

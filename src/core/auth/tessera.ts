import { randomBytes } from "node:crypto";
import { systemClock, type Clock } from "../clock.js";
import { ConfigError } from "../errors.js";
import type { AuthStore, PersonalAccessTokenRecord, RevocationRecord, SessionRecord, UserRecord } from "../store.js";
import {
  deriveSuccessorToken,
  generateOpaqueToken,
  hashToken,
  isWellFormedOpaqueToken,
  opaqueTokenKind,
  tokenHashesEqual,
} from "../tokens/opaque-token.js";
import { issuedAtMs } from "../jwt/jti.js";
import { createPasswordHasher, type PasswordHasher } from "../passwords/index.js";
import { parseScope, hasScopes } from "../scopes.js";
import { SigningKeys, type SigningKeysOptions } from "./signing-keys.js";
import { RevocationService, type RevocationFeed } from "./revocations.js";
import type { ClientInfo, Result, TesseraAuth, TokenPair } from "./types.js";

/** Every scope the reference server knows. A login gets all of them unless it asks for less. */
export const ALL_SCOPES = ["users:read", "users:write", "posts:read", "posts:write", "tokens:introspect"] as const;

export interface TesseraOptions {
  store: AuthStore;
  issuer: string;
  audience: string;
  clock?: Clock;
  jwtAlg?: SigningKeysOptions["alg"];
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  refreshReuseGraceSeconds?: number;
  /** Longest a personal access token may live; default one year. */
  maxPersonalAccessTokenTtlSeconds?: number;
  /** The full scope of a user. Default: every scope in {@link ALL_SCOPES}. */
  userScopes?: (user: UserRecord) => readonly string[];
  passwordHasher?: PasswordHasher;
  revocationFeed?: RevocationFeed;
  /**
   * Read revocations written by other processes (other instances, the CLI) from the store every
   * N ms. Default 1000; 0 turns it off (then only this process's revocations apply).
   */
  revocationPollIntervalMs?: number;
  /** Re-read the key ring every N ms, so a rotation by another process is picked up. Default 10000; 0 = off. */
  keyReloadIntervalMs?: number;
  /** Verified-token cache entries; 0 disables the cache. */
  verifiedTokenCacheSize?: number;
}

export interface IssuedPersonalAccessToken {
  token: string;
  record: PersonalAccessTokenRecord;
}

/**
 * The longest access-token lifetime Tessera accepts (24 h). Revocations of sessions and users
 * are kept this long, so they outlive every token any instance could have issued.
 */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 86_400;

/** Seconds an accepted personal access token is served from memory before the store is asked again. */
const PAT_CACHE_MS = 5_000;
/** Last-used stamps are written at most this often per session/token/user. */
const TOUCH_EVERY_MS = 60_000;

type AuthFailure = "token_missing" | "token_malformed" | "token_expired" | "token_revoked" | "token_invalid";

/**
 * The token system: logins, refresh rotation with reuse detection, access and personal access
 * token verification with revocation, and key rotation, over one {@link AuthStore}.
 *
 * @example
 * const tessera = await Tessera.create({ store, issuer: "https://api.example.com", audience: "api" });
 * const checked = await tessera.verifyCredentials("ada", "correct horse battery");
 * if (checked.ok) {
 *   const pair = await tessera.startSession(checked.user, { scope: tessera.fullScopeOf(checked.user) });
 *   console.log(pair.accessToken);
 * }
 */
export class Tessera {
  readonly clock: Clock;
  readonly store: AuthStore;
  readonly passwords: PasswordHasher;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly maxPersonalAccessTokenTtlSeconds: number;
  readonly keys: SigningKeys;
  readonly revocations: RevocationService;
  private readonly userScopes: (user: UserRecord) => readonly string[];
  private derivationKey: Buffer = Buffer.alloc(0);
  private readonly patCache = new Map<string, { auth: TesseraAuth; cachedAt: number }>();
  private readonly lastTouched = new Map<string, number>();
  private lastFailureWasUnknownKid = false;
  private readonly keyReloadIntervalMs: number;
  private keyReloadTimer: NodeJS.Timeout | null = null;

  private constructor(options: TesseraOptions) {
    this.clock = options.clock ?? systemClock;
    this.store = options.store;
    this.passwords = options.passwordHasher ?? createPasswordHasher();
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 900;
    if (!Number.isSafeInteger(this.accessTokenTtlSeconds) || this.accessTokenTtlSeconds < 1 || this.accessTokenTtlSeconds > MAX_ACCESS_TOKEN_TTL_SECONDS) {
      throw new ConfigError("accessTokenTtlSeconds", `expected 1 to ${MAX_ACCESS_TOKEN_TTL_SECONDS} seconds`);
    }
    this.refreshTokenTtlSeconds = options.refreshTokenTtlSeconds ?? 30 * 86400;
    this.refreshReuseGraceSeconds = options.refreshReuseGraceSeconds ?? 10;
    this.maxPersonalAccessTokenTtlSeconds = options.maxPersonalAccessTokenTtlSeconds ?? 365 * 86400;
    this.userScopes = options.userScopes ?? (() => ALL_SCOPES);
    this.revocations = new RevocationService({
      store: options.store,
      clock: this.clock,
      feed: options.revocationFeed,
      pollIntervalMs: options.revocationPollIntervalMs ?? 1_000,
    });
    this.keyReloadIntervalMs = options.keyReloadIntervalMs ?? 10_000;
    this.keys = new SigningKeys({
      store: options.store,
      clock: this.clock,
      alg: options.jwtAlg ?? "EdDSA",
      issuer: options.issuer,
      audience: options.audience,
      accessTokenTtlSeconds: this.accessTokenTtlSeconds,
      cacheSize: options.verifiedTokenCacheSize ?? 10_000,
    });
  }

  /** Loads (or creates, on first start) the signing keys, the derivation secret and the live revocations. */
  static async create(options: TesseraOptions): Promise<Tessera> {
    const tessera = new Tessera(options);
    await tessera.keys.load();
    const secret = await tessera.store.getOrCreateSecret("refresh-derivation-key", () => randomBytes(32).toString("base64url"));
    tessera.derivationKey = Buffer.from(secret, "base64url");
    await tessera.revocations.start();
    if (tessera.keyReloadIntervalMs > 0) {
      let ticks = 0;
      tessera.keyReloadTimer = setInterval(() => {
        tessera.keys.reload().catch(() => {
          // The store is down: keep the ring we have; readiness reports the outage.
        });
        // Housekeeping rides on the same timer, far less often: expired refresh chains.
        if (++ticks % 30 === 0) tessera.store.deleteExpiredSessions(tessera.clock.now()).catch(() => undefined);
      }, tessera.keyReloadIntervalMs);
      tessera.keyReloadTimer.unref();
    }
    return tessera;
  }

  async close(): Promise<void> {
    if (this.keyReloadTimer) clearInterval(this.keyReloadTimer);
    this.keyReloadTimer = null;
    await this.revocations.close();
  }

  /** The scope a user may hold, as a space-separated string. */
  fullScopeOf(user: UserRecord): string {
    return [...this.userScopes(user)].join(" ");
  }

  // ---- passwords -------------------------------------------------------------------------

  /**
   * Checks a username and password. An unknown username costs one real hash verification too,
   * so the response time does not reveal which usernames exist. A correct password stored under
   * an old scheme (bcrypt, sha-crypt, werkzeug) is re-hashed with argon2id on the spot.
   */
  async verifyCredentials(username: string, password: string): Promise<Result<{ user: UserRecord }, "credentials_invalid">> {
    // No stored username holds NUL (and PostgreSQL cannot even compare one): treat it as unknown.
    const user = username.includes("\0") ? null : await this.store.getUserByUsername(username);
    if (!user) {
      await this.passwords.verifyDummy(password);
      return { ok: false, code: "credentials_invalid" };
    }
    const verdict = await this.passwords.verify(user.passwordHash, password);
    if (!verdict.ok) return { ok: false, code: "credentials_invalid" };
    if (verdict.needsRehash) {
      const passwordHash = await this.passwords.hash(password);
      await this.store.setPasswordHash(user.id, passwordHash);
      return { ok: true, user: { ...user, passwordHash } };
    }
    return { ok: true, user };
  }

  // ---- logins and refresh ----------------------------------------------------------------

  /** Checks the scope a client asks for against what the user may hold. */
  resolveScope(user: UserRecord, requested: string | undefined | null): Result<{ scope: string }, "validation_failed"> {
    const allowed = this.userScopes(user);
    if (requested === undefined || requested === null || requested.trim() === "") return { ok: true, scope: allowed.join(" ") };
    const parsed = parseScope(requested);
    if (!parsed.ok) return { ok: false, code: "validation_failed", detail: "scope is not a valid scope string" };
    const unknown = parsed.scopes.filter((scope) => !allowed.includes(scope));
    if (unknown.length > 0) return { ok: false, code: "validation_failed", detail: `scope not allowed: ${unknown.join(" ")}` };
    return { ok: true, scope: parsed.scopes.join(" ") };
  }

  /** Starts a session for an authenticated user and hands out its first token pair. */
  async startSession(user: UserRecord, options: { scope: string; client?: ClientInfo }): Promise<TokenPair> {
    const now = this.clock.now();
    const refreshToken = generateOpaqueToken("refreshToken");
    const session = await this.store.createSession({
      userId: user.id,
      scope: options.scope,
      userAgent: options.client?.userAgent ?? null,
      ip: options.client?.ip ?? null,
      now,
      refreshTokenHash: hashToken(refreshToken),
      refreshExpiresAt: now + this.refreshTokenTtlSeconds * 1000,
    });
    return this.pairFor(session, refreshToken);
  }

  /**
   * Exchanges a refresh token for a new pair. The token is spent; presenting it again after the
   * grace window revokes its whole session. Concurrent presentations inside the grace window all
   * receive the same successor (derived, not random), and the store's conditional update lets
   * exactly one of them extend the chain.
   */
  async refresh(
    refreshToken: string,
    options: { scope?: string | undefined } = {},
  ): Promise<Result<{ pair: TokenPair }, AuthFailure | "validation_failed">> {
    if (!isWellFormedOpaqueToken(refreshToken, "refreshToken")) return { ok: false, code: "token_malformed" };
    const tokenHash = hashToken(refreshToken);
    let record = await this.store.getRefreshToken(tokenHash);
    if (!record || !tokenHashesEqual(record.tokenHash, tokenHash)) return { ok: false, code: "token_invalid" };
    if (record.sessionRevoked) return { ok: false, code: "token_revoked" };
    const session = await this.store.getSession(record.sessionId);
    if (!session || session.revokedAt !== null) return { ok: false, code: "token_revoked" };
    // RFC 6749 6: a refresh may narrow the scope, never widen it. Checked before the token is
    // spent, so a bad request does not cost the client its refresh token.
    let scope = session.scope;
    if (options.scope !== undefined && options.scope.trim() !== "") {
      const requested = parseScope(options.scope);
      const granted = session.scope.split(" ");
      if (!requested.ok || !requested.scopes.every((item) => granted.includes(item))) {
        return { ok: false, code: "validation_failed", detail: "The requested scope exceeds the granted scope" };
      }
      scope = requested.scopes.join(" ");
    }
    const now = this.clock.now();
    const successor = deriveSuccessorToken(this.derivationKey, refreshToken);
    if (record.spentAt === null) {
      if (record.expiresAt <= now) return { ok: false, code: "token_expired" };
      const rotated = await this.store.rotateRefreshToken({
        oldHash: tokenHash,
        newHash: hashToken(successor),
        now,
        newExpiresAt: now + this.refreshTokenTtlSeconds * 1000,
      });
      if (!rotated) {
        // Someone else spent it between our read and our write: judge it as a reuse below.
        record = await this.store.getRefreshToken(tokenHash);
        if (!record || record.sessionRevoked) return { ok: false, code: "token_revoked" };
      }
    }
    const outsideGrace = (spentAt: number) => this.refreshReuseGraceSeconds === 0 || now - spentAt > this.refreshReuseGraceSeconds * 1000;
    if (record.spentAt !== null && (outsideGrace(record.spentAt) || (await this.successorSpent(successor)))) {
      // Spent before the grace window, or inside it but the chain has already moved past the
      // successor: no valid pair can be handed out, and a second holder of the token is the
      // theft the rotation exists to catch.
      await this.revokeSession(record.sessionId);
      return { ok: false, code: "token_revoked", detail: "The refresh token was already used; the session is revoked" };
    }
    await this.store.touchSession(session.id, now);
    return { ok: true, pair: this.pairFor(session, successor, scope) };
  }

  /** Whether the successor of a spent refresh token has itself been spent (the chain moved on). */
  private async successorSpent(successor: string): Promise<boolean> {
    const next = await this.store.getRefreshToken(hashToken(successor));
    return next !== null && next !== undefined && next.spentAt !== null;
  }

  private pairFor(session: SessionRecord, refreshToken: string, scope: string = session.scope): TokenPair {
    const issued = this.keys.issue({
      sub: String(session.userId),
      scope,
      sid: String(session.id),
      ttlSeconds: this.accessTokenTtlSeconds,
    });
    return {
      accessToken: issued.token,
      tokenType: "Bearer",
      expiresInSeconds: this.accessTokenTtlSeconds,
      refreshToken,
      scope,
      sessionId: session.id,
    };
  }

  // ---- verification ----------------------------------------------------------------------

  /**
   * Verifies an access token (JWT) or a personal access token and checks revocation, on every
   * call, whether or not the signature check was served from cache.
   */
  async authenticate(token: string): Promise<Result<{ auth: TesseraAuth }, AuthFailure>> {
    if (opaqueTokenKind(token) === "personalAccessToken") return this.authenticatePersonalAccessToken(token);
    const result = this.authenticateAccessToken(token);
    if (!result.ok && this.lastFailureWasUnknownKid && this.keys.shouldReloadForUnknownKid()) {
      // Another instance may have rotated keys since we loaded them.
      await this.keys.reload();
      return this.authenticateAccessToken(token);
    }
    return result;
  }

  /** Synchronous: signature (or cache), claims and revocation set; no store round trip. */
  authenticateAccessToken(token: string): Result<{ auth: TesseraAuth }, AuthFailure> {
    const verified = this.keys.verify(token);
    if (!verified.ok) {
      this.lastFailureWasUnknownKid = verified.reason === "unknown_kid";
      return { ok: false, code: verified.code };
    }
    const claims = verified.claims;
    const auth: TesseraAuth = {
      userId: Number(claims.sub),
      tokenType: "access_token",
      scopes: claims.scope === "" ? [] : claims.scope.split(" "),
      sessionId: claims.sid === undefined ? null : Number(claims.sid),
      expiresAt: claims.exp * 1000,
      issuedAt: issuedAtMs(claims),
      jti: claims.jti,
      personalAccessTokenId: null,
    };
    if (this.revocations.isRevoked({ jti: claims.jti, sessionId: claims.sid, userId: claims.sub, issuedAt: auth.issuedAt })) {
      return { ok: false, code: "token_revoked" };
    }
    if (auth.sessionId !== null) this.touchLater(`s${auth.sessionId}`, () => this.store.touchSession(auth.sessionId ?? 0, this.clock.now()));
    return { ok: true, auth };
  }

  private async authenticatePersonalAccessToken(token: string): Promise<Result<{ auth: TesseraAuth }, AuthFailure>> {
    const now = this.clock.now();
    const tokenHash = hashToken(token);
    let auth = this.patCache.get(tokenHash);
    if (!auth || now - auth.cachedAt > PAT_CACHE_MS) {
      // The checksum spares the store a look-up for a mistyped or foreign token; a token whose
      // hash is cached matched a stored hash moments ago, so it is checked only on a miss.
      if (!isWellFormedOpaqueToken(token, "personalAccessToken")) return { ok: false, code: "token_malformed" };
      const record = await this.store.getPersonalAccessTokenByHash(tokenHash);
      if (!record || !tokenHashesEqual(record.tokenHash, tokenHash)) return { ok: false, code: "token_invalid" };
      if (record.revokedAt !== null) return { ok: false, code: "token_revoked" };
      auth = {
        auth: {
          userId: record.userId,
          tokenType: "personal_access_token",
          scopes: record.scope === "" ? [] : record.scope.split(" "),
          sessionId: null,
          expiresAt: record.expiresAt,
          issuedAt: record.createdAt,
          jti: null,
          personalAccessTokenId: record.id,
        },
        cachedAt: now,
      };
      if (this.patCache.size >= 10_000) this.patCache.clear();
      this.patCache.set(tokenHash, auth);
    }
    const found = auth.auth;
    if (found.expiresAt !== null && found.expiresAt <= now) return { ok: false, code: "token_expired" };
    if (
      this.revocations.isRevoked({
        userId: String(found.userId),
        issuedAt: found.issuedAt,
        personalAccessTokenId: String(found.personalAccessTokenId),
      })
    ) {
      return { ok: false, code: "token_revoked" };
    }
    const id = found.personalAccessTokenId ?? 0;
    this.touchLater(`p${id}`, () => this.store.touchPersonalAccessToken(id, this.clock.now()));
    return { ok: true, auth: found };
  }

  /** Whether `auth` holds every scope in `required`. */
  hasScopes(auth: TesseraAuth, required: readonly string[]): boolean {
    return hasScopes(auth.scopes, required);
  }

  /** Writes a last-used stamp at most once a minute per key, off the request path. */
  touchLater(key: string, write: () => Promise<void>): void {
    const now = this.clock.now();
    const last = this.lastTouched.get(key);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    if (this.lastTouched.size >= 50_000) this.lastTouched.clear();
    this.lastTouched.set(key, now);
    write().catch(() => {
      // A missed last-used stamp is harmless; readiness checks report store outages.
    });
  }

  // ---- revocation ------------------------------------------------------------------------

  private revocationExpiry(): number {
    // Long enough to outlive any access token any instance may have issued: instances (and the
    // CLI) may run with different TTLs, so the bound is the longest TTL allowed, not our own.
    return this.clock.now() + (MAX_ACCESS_TOKEN_TTL_SECONDS + 120) * 1000;
  }

  private async revoke(kind: RevocationRecord["kind"], value: string, expiresAt?: number): Promise<void> {
    await this.revocations.revoke({ kind, value, revokedAt: this.clock.now(), expiresAt: expiresAt ?? this.revocationExpiry() });
  }

  /** Revokes one access token by its `jti` until it would have expired. */
  async revokeAccessToken(auth: Pick<TesseraAuth, "jti" | "expiresAt">): Promise<void> {
    if (auth.jti === null) return;
    await this.revoke("jti", auth.jti, (auth.expiresAt ?? this.revocationExpiry()) + 60_000);
  }

  /** Revokes a session: its refresh chain and every access token carrying its `sid`. */
  async revokeSession(sessionId: number): Promise<boolean> {
    const revoked = await this.store.revokeSession(sessionId, this.clock.now());
    await this.revoke("sid", String(sessionId));
    return revoked;
  }

  /** Revokes every session of a user (optionally all but one); returns how many. */
  async revokeUserSessions(userId: number, options: { exceptSessionId?: number } = {}): Promise<number> {
    const ids = await this.store.revokeUserSessions(userId, this.clock.now(), options);
    for (const id of ids) await this.revoke("sid", String(id));
    return ids.length;
  }

  /** Everything issued to the user so far stops working (used when the user is deleted). */
  async revokeEverythingOfUser(userId: number): Promise<void> {
    await this.revokeUserSessions(userId);
    await this.revoke("user", String(userId));
  }

  async revokePersonalAccessToken(userId: number, id: number): Promise<boolean> {
    const record = await this.store.revokePersonalAccessToken(userId, id, this.clock.now());
    if (!record) return false;
    this.patCache.delete(record.tokenHash);
    await this.revoke("pat", String(id));
    return true;
  }

  /**
   * RFC 7009: revokes whatever token this is, if it is one of ours. Unknown tokens are ignored.
   * An access token dies alone; a refresh token takes its session with it.
   */
  async revokeAnyToken(token: string): Promise<void> {
    const kind = opaqueTokenKind(token);
    if (kind === "refreshToken") {
      if (!isWellFormedOpaqueToken(token, "refreshToken")) return;
      const record = await this.store.getRefreshToken(hashToken(token));
      if (record) await this.revokeSession(record.sessionId);
      return;
    }
    if (kind === "personalAccessToken") {
      if (!isWellFormedOpaqueToken(token, "personalAccessToken")) return;
      const record = await this.store.getPersonalAccessTokenByHash(hashToken(token));
      if (record) await this.revokePersonalAccessToken(record.userId, record.id);
      return;
    }
    const verified = this.authenticateAccessToken(token);
    if (verified.ok) await this.revokeAccessToken(verified.auth);
  }

  // ---- personal access tokens ------------------------------------------------------------

  /** Mints a personal access token; the token itself is returned this once and only its hash is kept. */
  async createPersonalAccessToken(
    userId: number,
    options: { name: string; scope: string; expiresInSeconds?: number | null },
  ): Promise<IssuedPersonalAccessToken> {
    const now = this.clock.now();
    const token = generateOpaqueToken("personalAccessToken");
    const ttl = options.expiresInSeconds ?? null;
    const record = await this.store.createPersonalAccessToken({
      userId,
      name: options.name,
      scope: options.scope,
      tokenHash: hashToken(token),
      now,
      expiresAt: ttl === null ? null : now + Math.min(ttl, this.maxPersonalAccessTokenTtlSeconds) * 1000,
    });
    return { token, record };
  }

  // ---- introspection ---------------------------------------------------------------------

  /** RFC 7662: what an active token says about itself, or null when it is not active. */
  async introspect(token: string): Promise<{ auth: TesseraAuth; tokenType: "access_token" | "personal_access_token" | "refresh_token" } | null> {
    if (opaqueTokenKind(token) === "refreshToken") {
      if (!isWellFormedOpaqueToken(token, "refreshToken")) return null;
      const record = await this.store.getRefreshToken(hashToken(token));
      const now = this.clock.now();
      if (!record || record.sessionRevoked || record.spentAt !== null || record.expiresAt <= now) return null;
      const session = await this.store.getSession(record.sessionId);
      if (!session) return null;
      return {
        tokenType: "refresh_token",
        auth: {
          userId: record.userId,
          tokenType: "access_token",
          scopes: session.scope === "" ? [] : session.scope.split(" "),
          sessionId: session.id,
          expiresAt: record.expiresAt,
          issuedAt: record.createdAt,
          jti: null,
          personalAccessTokenId: null,
        },
      };
    }
    const result = await this.authenticate(token);
    return result.ok ? { auth: result.auth, tokenType: result.auth.tokenType } : null;
  }
}

import { randomBytes } from "node:crypto";
import { systemClock, type Clock } from "../core/clock.js";
import { ConfigError } from "../core/errors.js";
import type { JsonWebKeySet, JwtAlg } from "../core/jwt/index.js";
import { createPasswordHasher, type PasswordHasher } from "../core/passwords/hasher.js";
import { verifyUserPassword } from "../core/passwords/verify-user-password.js";
import { hasScopes } from "../core/scopes.js";
import type { ClientRecord, ClientSecretRecord, RevocationRecord, SessionRecord, SigningKeyRecord, StoredTokenRecord, TokenStore } from "../core/token-store.js";
import { opaqueTokenKind, isWellFormedOpaqueToken, hashToken } from "../core/tokens/opaque-token.js";
import type { AuthScheme } from "../http/scheme.js";
import { checkAccessToken, verifyAccessToken } from "./access-tokens.js";
import { explainToken, type TokenExplanation } from "./explain-token.js";
import { AuditLog, DisabledAuditLog, type AuditEventInput, type AuditLogOptions } from "./audit-log.js";
import { checkAuditChain, type BrokenAuditLink } from "../core/audit-chain.js";
import type { AuditEventRecord, AuditQuery } from "../core/token-store.js";
import { CLIENT_TOKEN_CLAIMS, MachineClients, type ClientAccessToken, type CreatedClient, type RotatedClientSecret } from "./machine-clients.js";
import { checkPassword, grantScope } from "./passwords-login.js";
import { DEFAULT_MAX_REVOCATIONS_PER_USER, RevocationService, type RevocationFeed } from "./revocation-service.js";
import { refreshSession, revokeSessions, startSession } from "./sessions.js";
import { currentSigningAlg, StoredKeyRing } from "./signing-keys.js";
import { PERSONAL_ACCESS_TOKEN_KIND, StoredTokens, storedTokenKind, type IssuedToken, type IssueTokenOptions } from "./stored-tokens.js";
import { MAX_ACCESS_TOKEN_TTL_SECONDS, revocationExpiry, type TesseraContext } from "./tessera-context.js";
import { TouchStamps } from "./touch-stamps.js";
import type { ClientInfo, Principal, Result, TokenFailureCode, TokenPair } from "./types.js";
import { userIdOf, type LoginUser, type UserDirectory } from "./user-directory.js";
import {
  createBasicVerifier,
  createBearerVerifier,
  createHeaderVerifier,
  type BasicVerifierOptions,
  type BearerVerifierOptions,
  type HeaderVerifierOptions,
  type VerifierHost,
} from "./verifiers.js";

/** Options of {@link createTessera}. Only `store`, `issuer` and `audience` are required. */
export interface TesseraOptions<U extends LoginUser = LoginUser> {
  store: TokenStore;
  /** The app's users, for `login()` and `basic()`. */
  users?: UserDirectory<U>;
  /** `iss` of access tokens (your public URL). */
  issuer: string;
  /** `aud` of access tokens. */
  audience: string;
  /**
   * The scopes a login may grant: a list, or a function of the user. A login that asks for no
   * scope gets all of them. Default: none (tokens carry no scope).
   */
  scopes?: readonly string[] | ((user: U) => readonly string[]);
  /** Default `EdDSA` for a new store; otherwise the algorithm of the key that signs now. */
  jwtAlg?: JwtAlg;
  /** Default 900 (15 min), at most 86,400. */
  accessTokenTtlSeconds?: number;
  /** Default 30 days (sliding: each refresh starts a new period). */
  refreshTokenTtlSeconds?: number;
  /** Concurrent refreshes of one token inside this window get the same successor. Default 10; 0 turns it off. */
  refreshReuseGraceSeconds?: number;
  /** Longest lifetime of a personal access or app token. Default one year. */
  maxTokenTtlSeconds?: number;
  clock?: Clock;
  passwordHasher?: PasswordHasher;
  /** Fast revocation fan-out between instances (`RedisRevocationFeed` from `tessera-auth/redis`). */
  revocationFeed?: RevocationFeed;
  /** Read revocations written by other processes every N ms. Default 1000; 0 turns it off. */
  revocationPollIntervalMs?: number;
  /**
   * Live revocation entries (one per revoked access token, session or stored token) one user may
   * have in memory. Revoking past it replaces them with one user-wide cut-off: every access token
   * issued to the user so far is refused and their personal access and app tokens are revoked;
   * their sessions survive (a refresh issues new access tokens). So no account can grow every
   * instance's memory without bound. Default 1,000.
   */
  maxRevocationsPerUser?: number;
  /** Re-read the key ring (and run housekeeping) every N ms. Default 10000; 0 turns it off. */
  keyReloadIntervalMs?: number;
  /** Verified access tokens remembered; 0 disables the cache. Default 10,000. */
  verifiedTokenCacheSize?: number;
  /**
   * The audit log of authentication events, written in batches off the request path to the
   * store. Default on, without the hash chain, kept 90 days; `false` turns it off.
   */
  audit?: AuditLogOptions | false;
}

/** What `tessera.introspect()` says about an active token (RFC 7662). */
export interface Introspection {
  principal: Principal;
  /** `refresh_token` for a refresh token; otherwise the principal's `tokenType`. */
  tokenType: Principal["tokenType"] | "refresh_token";
}

/** The token system of one app: see {@link createTessera}. */
export interface Tessera<U extends LoginUser = LoginUser> {
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly maxTokenTtlSeconds: number;

  /** Checks a username and password against `users` (unknown user and wrong password alike: `credentials_invalid`). */
  checkPassword(username: string, password: string): Promise<Result<{ user: U }, "credentials_invalid">>;
  /** The scope a login for `user` gets when it asks for `requested` (nothing asked: all it may have). */
  grantScope(user: U, requested?: string | null): Result<{ scope: string }, "validation_failed">;
  /**
   * Password login: checks the password, grants the scope and starts a session. With
   * `users.byId`, a login that raced a password change or the user's deletion fails
   * (`credentials_invalid`) and leaves no live session.
   */
  login(
    username: string,
    password: string,
    options?: { scope?: string | null | undefined; client?: ClientInfo },
  ): Promise<Result<{ user: U; pair: TokenPair }, "credentials_invalid" | "validation_failed">>;
  /** Starts a session for a user the app authenticated itself; `scope` is granted as given. */
  startSession(user: U | string | number, options?: { scope?: string; client?: ClientInfo }): Promise<TokenPair>;
  /**
   * A sessionless access token (JWT) for a user the app authenticated itself: no refresh token,
   * revocable by `revokeAccessToken` or `revokeUser`. `claims` adds the app's own claims
   * (`identity`, ...), never a registered one. `ttlSeconds` defaults to, and may not exceed,
   * `accessTokenTtlSeconds`.
   */
  issueAccessToken(
    user: U | string | number,
    options?: { scope?: string; ttlSeconds?: number; claims?: Readonly<Record<string, unknown>> },
  ): { accessToken: string; tokenType: "Bearer"; expiresInSeconds: number; scope: string };
  /** Exchanges a refresh token for a new pair (rotation with reuse detection); may narrow the scope. */
  refresh(refreshToken: string, options?: { scope?: string | undefined }): Promise<Result<{ pair: TokenPair }, TokenFailureCode | "validation_failed">>;
  /**
   * Verifies any token Tessera issues (access, personal access, app tokens), revocation included.
   * `accept` names the kinds taken: `"access"`, `"pat"`, app kinds, and `"client"` for machine
   * clients' tokens (not accepted unless named). Default `["access", "pat"]`.
   */
  verify(token: string, options?: { accept?: readonly string[]; touch?: boolean }): Promise<Result<{ principal: Principal }, TokenFailureCode>>;
  /**
   * For sensitive actions (minting a personal access token): ok when the principal is an access
   * token whose login is less than `maxAgeSeconds` old (default 300), or `password` is the
   * user's current password (needs `users.byId`).
   */
  confirmIdentity(
    principal: Principal,
    options?: { password?: string | undefined; maxAgeSeconds?: number },
  ): Promise<Result<{ via: "recent_login" | "password" }, "credentials_invalid">>;
  /** Whether the principal holds every scope in `required`. */
  hasScopes(principal: Principal, required: readonly string[]): boolean;

  /** Logs out what authenticated this request: an access token's session, or the personal access/app token itself. */
  logout(principal: Principal): Promise<void>;
  /** RFC 7009: revokes whatever token this is, if it is one of ours; unknown tokens are ignored. */
  revoke(token: string): Promise<void>;
  /** Revokes one access token by its `jti`, until it would have expired. */
  revokeAccessToken(principal: Pick<Principal, "jti" | "expiresAt"> & Partial<Pick<Principal, "userId">>): Promise<void>;
  /** Everything issued to the user so far stops working: sessions, tokens of every kind. */
  revokeUser(userId: string | number): Promise<void>;
  /** Cleans up after the app deleted a user: revokes everything, then deletes the user's sessions and tokens. */
  forgetUser(userId: string | number): Promise<void>;

  readonly sessions: {
    list(userId: string | number): Promise<SessionRecord[]>;
    get(id: number): Promise<SessionRecord | null>;
    /** Revokes the user's session `id`; false when it was not theirs or not live. */
    revoke(userId: string | number, id: number): Promise<boolean>;
    /** Revokes every session of the user, optionally all but one; returns how many. */
    revokeAll(userId: string | number, options?: { exceptSessionId?: number }): Promise<number>;
  };
  readonly personalAccessTokens: {
    create(userId: string | number, options: { name: string; scope: string; expiresInSeconds?: number | null }): Promise<IssuedToken>;
    list(userId: string | number): Promise<StoredTokenRecord[]>;
    /** Revokes the user's token `id`; null when there was none to revoke. */
    revoke(userId: string | number, id: number): Promise<StoredTokenRecord | null>;
  };
  /** The app's own opaque token kinds (`"api"`, ...), hashed at rest. */
  readonly tokens: {
    issue(userId: string | number, options: IssueTokenOptions): Promise<IssuedToken>;
    verify(token: string, options: { kind: string }): Promise<Result<{ principal: Principal }, TokenFailureCode>>;
    list(userId: string | number, kind: string): Promise<StoredTokenRecord[]>;
    revoke(userId: string | number, id: number): Promise<StoredTokenRecord | null>;
  };
  /**
   * Machine clients (OAuth 2.0 client credentials, RFC 6749 4.4). Their tokens are JWTs with
   * `sub` = `client_id` = the client's id; verify them with `accept: ["client", ...]`.
   */
  readonly clients: {
    /** Creates a client and its first secret (shown once). `scope`: what it may ask for; `ownerId`: the user it acts for, if any. */
    create(options: { name: string; scope: string; ownerId?: string | number | null }): Promise<Result<CreatedClient, "validation_failed">>;
    get(id: string): Promise<ClientRecord | null>;
    /** Live clients, newest first (of one owner, when given). */
    list(options?: { ownerId?: string | number }): Promise<ClientRecord[]>;
    /** Its live secrets (hashes only), oldest first. */
    secrets(id: string): Promise<ClientSecretRecord[]>;
    /** Adds a secret; at most two stay live (the oldest beyond is revoked), or one with `revokeOthers`. Null for no live client. */
    rotateSecret(id: string, options?: { revokeOthers?: boolean }): Promise<RotatedClientSecret | null>;
    /** Revokes one secret and the tokens it minted. */
    revokeSecret(id: string, secretId: number): Promise<boolean>;
    /** Revokes the client, its secrets and its tokens, on every instance. */
    revoke(id: string): Promise<ClientRecord | null>;
    /** The client credentials grant: checks id and secret, grants the scope asked (within the client's) and mints an access token. */
    issueToken(
      clientId: string,
      clientSecret: string,
      options?: { scope?: string | null | undefined },
    ): Promise<Result<ClientAccessToken, "invalid_client" | "validation_failed">>;
  };
  readonly keys: {
    /** RFC 7517 set of the public keys that still verify. */
    jwks(): JsonWebKeySet;
    /** Starts signing with a new key; the old ones verify until their tokens have expired. */
    rotate(options?: { alg?: JwtAlg; retireAfterSeconds?: number }): Promise<SigningKeyRecord>;
    records(): SigningKeyRecord[];
  };
  /**
   * What any token string is and why it is or is not accepted, in words and as data: kind,
   * user or client, session, scopes, times, signing key, issuer/audience mismatches, and who
   * revoked it, when and how (from the audit log). For operators and owners, never for a 401.
   * Side-effect free.
   */
  explain(token: string): Promise<TokenExplanation>;
  /** RFC 7662: what an active token says about itself, or null when it is not active. Side-effect free. */
  introspect(token: string): Promise<Introspection | null>;

  /** `Authorization: Bearer` (or `Token`, `JWT`) verified by Tessera; `load` maps the principal to your user. */
  bearer(options?: BearerVerifierOptions<Principal> & { load?: undefined }): AuthScheme<Principal>;
  bearer<A>(options: BearerVerifierOptions<A> & { load: NonNullable<BearerVerifierOptions<A>["load"]> }): AuthScheme<A>;
  /** A token in a header of its own (`api-token`, `X-API-Key`). */
  header(name: string, options?: HeaderVerifierOptions<Principal> & { load?: undefined }): AuthScheme<Principal>;
  header<A>(name: string, options: HeaderVerifierOptions<A> & { load: NonNullable<HeaderVerifierOptions<A>["load"]> }): AuthScheme<A>;
  /** HTTP Basic with a password checked against `users` (dummy hash for unknown users built in). */
  basic(options?: BasicVerifierOptions<U, U> & { load?: undefined }): AuthScheme<U>;
  basic<A>(options: BasicVerifierOptions<U, A> & { load: NonNullable<BasicVerifierOptions<U, A>["load"]> }): AuthScheme<A>;

  /**
   * What this instance holds in memory: live revocation entries (bounded per user by
   * `maxRevocationsPerUser`) and audit events waiting to be written (bounded by the buffer).
   */
  stats(): { revocationEntries: number; auditEventsPending: number };

  /**
   * The audit log: `record` buffers an event of the app's own (a user created, a password
   * changed) with the current audit context; `list` reads; `verifyChain` checks the hash chain.
   */
  readonly audit: {
    record(event: AuditEventInput): void;
    /** One refusal by a rate limit; aggregated per limit, key and minute. */
    rateLimited(limit: string, key: string, extra?: { userId?: string | null; clientId?: string | null }): void;
    list(query: AuditQuery): Promise<AuditEventRecord[]>;
    /** Walks the whole log oldest first: the first row that does not chain, or how many did. */
    verifyChain(): Promise<{ ok: true; checked: number } | ({ ok: false; checked: number } & BrokenAuditLink)>;
    /** Writes what is buffered now. */
    flush(): Promise<void>;
    /** Events dropped because the buffer was full. */
    readonly dropped: number;
    readonly pending: number;
  };

  /** Writes the audit events still buffered, stops the timers and the revocation feed. The store is the app's to close. */
  close(): Promise<void>;
}

function readMaxRevocationsPerUser(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_REVOCATIONS_PER_USER;
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError("maxRevocationsPerUser", "expected an integer >= 1");
  return value;
}

/** How often (in key-reload ticks) expired rows are deleted. */
const HOUSEKEEPING_EVERY_TICKS = 30;

/**
 * Builds the token system over a {@link TokenStore}: loads (or creates) the signing keys, the
 * derivation secret and the live revocations.
 *
 * @example
 * const tessera = await createTessera({ store, users, issuer: "https://api.example.com", audience: "api", scopes: ["notes:read", "notes:write"] });
 * const login = await tessera.login("ada", "correct horse battery staple");
 * if (login.ok) console.log(login.pair.accessToken);
 */
export async function createTessera<U extends LoginUser = LoginUser>(options: TesseraOptions<U>): Promise<Tessera<U>> {
  const clock = options.clock ?? systemClock;
  const store = options.store;
  const accessTokenTtlSeconds = readSeconds("accessTokenTtlSeconds", options.accessTokenTtlSeconds, 900, 1, MAX_ACCESS_TOKEN_TTL_SECONDS);
  const refreshTokenTtlSeconds = readSeconds("refreshTokenTtlSeconds", options.refreshTokenTtlSeconds, 30 * 86_400, 1, 10 * 365 * 86_400);
  const refreshReuseGraceSeconds = readSeconds("refreshReuseGraceSeconds", options.refreshReuseGraceSeconds, 10, 0, 300);
  const maxTokenTtlSeconds = readSeconds("maxTokenTtlSeconds", options.maxTokenTtlSeconds, 365 * 86_400, 1, 10 * 365 * 86_400);
  const passwords = options.passwordHasher ?? createPasswordHasher();
  const scopes = options.scopes ?? [];
  const scopesOf = (user: U): readonly string[] => (typeof scopes === "function" ? scopes(user) : scopes);

  const keys = new StoredKeyRing({
    store,
    clock,
    alg: options.jwtAlg ?? (await currentSigningAlg(store)) ?? "EdDSA",
    issuer: options.issuer,
    audience: options.audience,
    accessTokenTtlSeconds,
    cacheSize: options.verifiedTokenCacheSize ?? 10_000,
  });
  await keys.load();
  const secret = await store.getOrCreateSecret("refresh-derivation-key", () => randomBytes(32).toString("base64url"));
  const revocations = new RevocationService({
    store,
    clock,
    feed: options.revocationFeed,
    pollIntervalMs: options.revocationPollIntervalMs ?? 1_000,
    maxEntriesPerUser: readMaxRevocationsPerUser(options.maxRevocationsPerUser),
  });
  await revocations.start();

  const audit = options.audit === false ? new DisabledAuditLog(store, clock) : new AuditLog(store, clock, options.audit ?? {});
  audit.start();
  const context: TesseraContext = {
    store,
    clock,
    keys,
    revocations,
    audit,
    touches: new TouchStamps(clock),
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    refreshReuseGraceSeconds,
    maxOpaqueTokenTtlSeconds: maxTokenTtlSeconds,
    derivationKey: Buffer.from(secret, "base64url"),
  };
  const storedTokens = new StoredTokens(context);
  const machineClients = new MachineClients(context);

  let timer: NodeJS.Timeout | null = null;
  const keyReloadIntervalMs = options.keyReloadIntervalMs ?? 10_000;
  if (keyReloadIntervalMs > 0) {
    let ticks = 0;
    timer = setInterval(() => {
      keys.reload().catch(() => {
        // The store is down: keep the ring we have; readiness reports the outage.
      });
      if (++ticks % HOUSEKEEPING_EVERY_TICKS === 0) {
        store.deleteExpired(clock.now()).catch(() => undefined);
        if (!(audit instanceof DisabledAuditLog)) store.deleteAuditEventsBefore(clock.now() - audit.retentionMs).catch(() => undefined);
      }
    }, keyReloadIntervalMs);
    timer.unref();
  }

  function requireUsers(): UserDirectory<U> {
    if (options.users === undefined) throw new TypeError("createTessera needs `users` for password logins");
    return options.users;
  }

  async function verify(
    token: string,
    verifyOptions: { accept?: readonly string[]; touch?: boolean } = {},
  ): Promise<Result<{ principal: Principal }, TokenFailureCode>> {
    const accept = verifyOptions.accept ?? ["access", "pat"];
    const touch = verifyOptions.touch ?? true;
    const kind = storedTokenKind(token);
    if (kind !== null) return accept.includes(kind) ? storedTokens.verify(token, [kind], touch) : { ok: false, code: "token_invalid" };
    if (opaqueTokenKind(token) !== null || (!accept.includes("access") && !accept.includes("client"))) return { ok: false, code: "token_invalid" };
    const result = await verifyAccessToken(context, token, touch);
    // A client's token where only logins' are taken (and the other way round) is not a token here.
    if (result.ok && !accept.includes(result.principal.tokenType === "client_token" ? "client" : "access")) return { ok: false, code: "token_invalid" };
    return result;
  }

  const revokeEntry = (kind: "jti" | "user", value: string, expiresAt: number, userId?: string) =>
    revocations.revoke({ kind, value, revokedAt: clock.now(), expiresAt, userId });

  type RevocablePrincipal = Pick<Principal, "jti" | "expiresAt"> & { userId?: string; clientId?: string | null };
  const jtiEntry = (principal: RevocablePrincipal): RevocationRecord | null =>
    principal.jti === null
      ? null
      : {
          kind: "jti",
          value: principal.jti,
          revokedAt: clock.now(),
          expiresAt: (principal.expiresAt ?? revocationExpiry(clock)) + 60_000,
          // A client's token has no user whose entries it could count against.
          ...(principal.userId ? { userId: principal.userId } : {}),
        };

  async function revokeAccessToken(principal: RevocablePrincipal): Promise<void> {
    const entry = jtiEntry(principal);
    if (entry === null) return;
    await revocations.revoke(entry);
    audit.record({ type: "access_token.revoked", userId: principal.userId || null, clientId: principal.clientId ?? null, subject: `jti:${entry.value}` });
  }

  async function revokeUser(user: string | number): Promise<void> {
    const userId = String(user);
    await revokeSessions(context, { userId });
    await storedTokens.revokeAllOf(userId);
    await revokeEntry("user", userId, revocationExpiry(clock));
    audit.record({ type: "user.tokens_revoked", userId, subject: `user:${userId}` });
  }

  const host: VerifierHost<U> = {
    verifyToken: (token, accept) => verify(token, { accept }),
    // The reason (unknown user or wrong password) is the audit log's, never the caller's.
    checkPassword: async (username, password) => {
      const checked = await checkPassword(passwords, requireUsers(), username, password);
      return checked.ok ? checked : { ok: false, code: checked.code };
    },
    scopesOf,
  };

  /** A failed password login, with why, for the log: unknown user and wrong password are two outcomes there. */
  async function checkLogin(username: string, password: string): Promise<Result<{ user: U }, "credentials_invalid">> {
    const checked = await checkPassword(passwords, requireUsers(), username, password);
    if (checked.ok) return checked;
    const [reason = "unknown_user", userId = null] = (checked.detail ?? "").split(/:(.*)/s);
    // Nobody authenticated: the attempt's actor is unknown, whichever account it aimed at.
    audit.record({ type: "login.failed", reason, userId, actorType: "anonymous", actorId: null });
    return { ok: false, code: checked.code };
  }

  const tessera: Tessera<U> = {
    clock,
    passwords,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    maxTokenTtlSeconds,
    checkPassword: host.checkPassword,
    grantScope: (user, requested) => grantScope(scopesOf(user), requested),
    async login(username, password, loginOptions = {}) {
      const checked = await checkLogin(username, password);
      if (!checked.ok) return checked;
      const userId = userIdOf(checked.user);
      const scope = grantScope(scopesOf(checked.user), loginOptions.scope);
      if (!scope.ok) {
        audit.record({ type: "login.failed", reason: "invalid_scope", userId });
        return scope;
      }
      const pair = await startSession(context, userId, { scope: scope.scope, client: loginOptions.client });
      // A login races a password change or the user's deletion: the password was checked against
      // a hash that may be gone by the time the session exists. Re-read the user; if the hash
      // changed or the user is gone, the new session dies at once and the login fails.
      const byId = options.users?.byId;
      if (byId !== undefined) {
        const current = await byId.call(options.users, userIdOf(checked.user));
        if (current === null || current === undefined || current.passwordHash !== checked.user.passwordHash) {
          await revokeSessions(context, { sessionId: pair.sessionId, userId }, { reason: "login_raced_password_change" });
          audit.record({ type: "login.failed", reason: "password_changed_meanwhile", userId });
          return { ok: false, code: "credentials_invalid" };
        }
      }
      audit.record({ type: "login.succeeded", userId, sessionId: pair.sessionId, subject: `session:${pair.sessionId}`, ...clientFields(loginOptions.client) });
      return { ok: true, user: checked.user, pair };
    },
    async startSession(user, sessionOptions = {}) {
      const pair = await startSession(context, userIdOf(user), { scope: sessionOptions.scope ?? "", client: sessionOptions.client });
      audit.record({ type: "session.started", userId: userIdOf(user), sessionId: pair.sessionId, subject: `session:${pair.sessionId}`, ...clientFields(sessionOptions.client) });
      return pair;
    },
    issueAccessToken(user, issueOptions = {}) {
      const ttlSeconds = issueOptions.ttlSeconds ?? accessTokenTtlSeconds;
      const scope = issueOptions.scope ?? "";
      for (const claim of CLIENT_TOKEN_CLAIMS) {
        if (issueOptions.claims !== undefined && claim in issueOptions.claims) throw new TypeError(`claims may not set "${claim}": only client tokens carry it`);
      }
      const issued = keys.issue({ sub: userIdOf(user), scope, ttlSeconds, ...(issueOptions.claims === undefined ? {} : { extraClaims: issueOptions.claims }) });
      return { accessToken: issued.token, tokenType: "Bearer", expiresInSeconds: ttlSeconds, scope };
    },
    refresh: (refreshToken, refreshOptions) => refreshSession(context, refreshToken, refreshOptions),
    verify,
    hasScopes: (principal, required) => hasScopes(principal.scopes, required),
    async confirmIdentity(principal, confirmOptions = {}) {
      const maxAgeMs = (confirmOptions.maxAgeSeconds ?? 300) * 1000;
      if (principal.tokenType === "access_token" && principal.sessionId !== null) {
        const session = await store.getSession(principal.sessionId);
        if (session !== null && session.revokedAt === null && clock.now() - session.createdAt < maxAgeMs) return { ok: true, via: "recent_login" };
      }
      const password = confirmOptions.password;
      const users = options.users;
      if (password === undefined || users?.byId === undefined) {
        return { ok: false, code: "credentials_invalid", detail: "Confirm with your current password (or log in again)" };
      }
      const user = await users.byId(principal.userId);
      const verdict = await verifyUserPassword(passwords, user, password);
      return verdict.ok ? { ok: true, via: "password" } : { ok: false, code: "credentials_invalid", detail: "The password is incorrect" };
    },
    async logout(principal) {
      if (principal.tokenId !== null) {
        await storedTokens.revoke(principal.userId, principal.tokenId);
      } else {
        // The session and the token's own entry in one transaction: a logout that fails (503)
        // leaves both tokens working, so the client can simply try again.
        const entry = jtiEntry(principal);
        if (principal.sessionId !== null) {
          await revokeSessions(context, { sessionId: principal.sessionId, userId: principal.userId }, { alsoRevoke: entry === null ? [] : [entry] });
          if (entry !== null) {
            audit.record({ type: "access_token.revoked", userId: principal.userId || null, clientId: principal.clientId ?? null, subject: `jti:${entry.value}` });
          }
        } else await revokeAccessToken(principal);
      }
      // Logged once it is done: a logout that failed is not in the log.
      audit.record({
        type: "logout",
        userId: principal.userId || null,
        clientId: principal.clientId ?? null,
        sessionId: principal.sessionId,
        subject: principal.tokenId !== null ? `token:${principal.tokenId}` : principal.sessionId !== null ? `session:${principal.sessionId}` : `jti:${principal.jti ?? ""}`,
      });
    },
    async revoke(token) {
      if (opaqueTokenKind(token) === "refreshToken") {
        if (!isWellFormedOpaqueToken(token, "refreshToken")) return;
        const record = await store.getRefreshToken(hashToken(token));
        if (record) await revokeSessions(context, { sessionId: record.sessionId, userId: record.userId });
        return;
      }
      if (storedTokenKind(token) !== null) {
        await storedTokens.revokeByValue(token);
        return;
      }
      const checked = checkAccessToken(context, token);
      if (checked.ok) await revokeAccessToken(checked.principal);
    },
    revokeAccessToken,
    revokeUser,
    async forgetUser(user) {
      audit.record({ type: "user.deleted", userId: String(user), subject: `user:${String(user)}` });
      await revokeUser(user);
      // The user's clients acted for them: they go too.
      for (const client of await store.listClients({ ownerId: String(user) })) await machineClients.revoke(client.id);
      await store.deleteUserData(String(user));
    },
    sessions: {
      list: (userId) => store.listSessions(String(userId)),
      get: (id) => store.getSession(id),
      async revoke(userId, id) {
        return (await revokeSessions(context, { sessionId: id, userId: String(userId), mustOwn: true })).length > 0;
      },
      async revokeAll(userId, revokeOptions = {}) {
        const selector = revokeOptions.exceptSessionId === undefined ? { userId: String(userId) } : { userId: String(userId), exceptSessionId: revokeOptions.exceptSessionId };
        return (await revokeSessions(context, selector)).length;
      },
    },
    personalAccessTokens: {
      async create(userId, createOptions) {
        const issued = await storedTokens.createPersonalAccessToken(String(userId), createOptions);
        audit.record({ type: "pat.created", userId: String(userId), subject: `token:${issued.record.id}` });
        return issued;
      },
      list: (userId) => storedTokens.list(String(userId), PERSONAL_ACCESS_TOKEN_KIND),
      revoke: (userId, id) => storedTokens.revoke(String(userId), id, PERSONAL_ACCESS_TOKEN_KIND),
    },
    tokens: {
      async issue(userId, issueOptions) {
        const issued = await storedTokens.issue(String(userId), issueOptions);
        // A handed-back live token (reuseIfValidFor) was created before: only new rows are events.
        if (issued.record.createdAt >= clock.now() - 1_000) audit.record({ type: "token.created", userId: String(userId), subject: `token:${issued.record.id}`, reason: issueOptions.kind });
        return issued;
      },
      verify: (token, verifyOptions) => verify(token, { accept: [verifyOptions.kind] }),
      list: (userId, kind) => storedTokens.list(String(userId), kind),
      revoke: (userId, id) => storedTokens.revoke(String(userId), id),
    },
    clients: {
      create: (createOptions) =>
        machineClients.create({ name: createOptions.name, scope: createOptions.scope, ownerId: createOptions.ownerId === undefined || createOptions.ownerId === null ? null : String(createOptions.ownerId) }),
      get: (id) => store.getClient(id),
      list: (listOptions = {}) => store.listClients(listOptions.ownerId === undefined ? {} : { ownerId: String(listOptions.ownerId) }),
      secrets: (id) => store.listClientSecrets(id),
      rotateSecret: (id, rotateOptions) => machineClients.rotateSecret(id, rotateOptions),
      revokeSecret: (id, secretId) => machineClients.revokeSecret(id, secretId),
      revoke: (id) => machineClients.revoke(id),
      issueToken: (clientId, clientSecret, issueOptions) => machineClients.issueToken(clientId, clientSecret, issueOptions),
    },
    keys: {
      jwks: () => keys.jwks(),
      async rotate(rotateOptions) {
        const record = await keys.rotate(rotateOptions);
        audit.record({ type: "key.rotated", subject: `key:${record.kid}`, reason: record.alg });
        return record;
      },
      records: () => keys.records(),
    },
    explain: (token) => explainToken({ context, issuer: options.issuer, audience: options.audience }, token),
    async introspect(token) {
      if (opaqueTokenKind(token) === "refreshToken") return introspectRefreshToken(context, token);
      // Introspection is a question about a token, not a use of it: no last-used stamp. Every
      // kind Tessera issues is introspected, the app's own kinds included.
      const kind = storedTokenKind(token);
      const result = await verify(token, { accept: kind === null ? ["access", "pat", "client"] : ["access", "pat", kind], touch: false });
      return result.ok ? { principal: result.principal, tokenType: result.principal.tokenType } : null;
    },
    bearer: ((verifierOptions?: BearerVerifierOptions<unknown>) => createBearerVerifier(host, verifierOptions)) as Tessera<U>["bearer"],
    header: ((name: string, verifierOptions?: HeaderVerifierOptions<unknown>) => createHeaderVerifier(host, name, verifierOptions)) as Tessera<U>["header"],
    basic: ((verifierOptions?: BasicVerifierOptions<U, unknown>) => createBasicVerifier(host, verifierOptions)) as Tessera<U>["basic"],
    stats: () => ({ revocationEntries: revocations.size, auditEventsPending: audit.pending }),
    audit: {
      record: (event) => audit.record(event),
      rateLimited: (limit, key, extra = {}) => audit.rateLimited(limit, key, extra),
      list: (query) => store.listAuditEvents(query),
      async verifyChain() {
        await audit.flush().catch(() => undefined);
        const state = { lastHash: null, checked: 0 };
        for (let afterId = 0; ; ) {
          const page = await store.listAuditEvents({ afterId, limit: 1000 });
          const broken = checkAuditChain(page, state);
          if (broken !== null) return { ok: false, checked: state.checked, ...broken };
          const last = page.at(-1);
          if (last === undefined) return { ok: true, checked: state.checked };
          afterId = last.id;
        }
      },
      flush: () => audit.flush(),
      get dropped() {
        return audit.dropped;
      },
      get pending() {
        return audit.pending;
      },
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await audit.close();
      await revocations.close();
    },
  };
  return tessera;
}

async function introspectRefreshToken(context: TesseraContext, token: string): Promise<Introspection | null> {
  if (!isWellFormedOpaqueToken(token, "refreshToken")) return null;
  const record = await context.store.getRefreshToken(hashToken(token));
  if (!record || record.sessionRevoked || record.spentAt !== null || record.expiresAt <= context.clock.now()) return null;
  const session = await context.store.getSession(record.sessionId);
  if (!session) return null;
  return {
    tokenType: "refresh_token",
    principal: {
      userId: record.userId,
      tokenType: "access_token",
      tokenKind: "refresh",
      scopes: session.scope === "" ? [] : session.scope.split(" "),
      sessionId: session.id,
      tokenId: null,
      jti: null,
      issuedAt: record.createdAt,
      expiresAt: record.expiresAt,
    },
  };
}

function readSeconds(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < min || resolved > max) throw new ConfigError(name, `expected ${min} to ${max} seconds`);
  return resolved;
}

function clientFields(client: ClientInfo | undefined): { ip?: string | null; userAgent?: string | null } {
  if (client === undefined) return {};
  return {
    ...(client.ip === undefined ? {} : { ip: client.ip }),
    ...(client.userAgent === undefined ? {} : { userAgent: client.userAgent }),
  };
}

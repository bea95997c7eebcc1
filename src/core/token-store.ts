/**
 * What Tessera stores, and nothing else: sessions with their refresh chains, opaque tokens
 * (personal access tokens and the app's own kinds), signing keys, revocations and secrets.
 * Users are not here: the app owns them and lends Tessera a {@link UserDirectory}-style lookup.
 *
 * User ids are opaque strings (UUIDs, text, numbers as text). Times are epoch milliseconds.
 * Token values never reach a store: only their SHA-256 hashes (hex).
 *
 * Implementation: `tessera-auth/stores` (SQLite and PostgreSQL through one Kysely code path).
 * Every method may throw `BackendUnavailableError` when the backend does not answer.
 */

/** One login. Its refresh tokens form a chain; revoking it kills every token descended from it. */
export interface SessionRecord {
  id: number;
  userId: string;
  scope: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: number;
  lastUsedAt: number;
  revokedAt: number | null;
}

/** What {@link TokenStore.createSession} takes: the session and the first link of its chain. */
export interface NewSession {
  userId: string;
  scope: string;
  userAgent: string | null;
  ip: string | null;
  now: number;
  refreshTokenHash: string;
  refreshExpiresAt: number;
}

/** One link of a session's refresh chain. */
export interface RefreshTokenRecord {
  tokenHash: string;
  sessionId: number;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** When it was exchanged for its successor; null while it is the live end of the chain. */
  spentAt: number | null;
  /** Whether the session it belongs to was revoked. */
  sessionRevoked: boolean;
}

/** What {@link TokenStore.rotateRefreshToken} takes. */
export interface RefreshRotation {
  oldHash: string;
  newHash: string;
  now: number;
  newExpiresAt: number;
}

/**
 * An opaque token kept by hash: a personal access token (`kind: "pat"`) or one of the app's
 * own kinds (`"api"`, `"reset"`, ...).
 */
export interface StoredTokenRecord {
  id: number;
  kind: string;
  userId: string;
  name: string;
  scope: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What {@link TokenStore.createToken} takes. */
export interface NewStoredToken {
  kind: string;
  userId: string;
  name: string;
  scope: string;
  tokenHash: string;
  now: number;
  expiresAt: number | null;
}

/** Which sessions {@link TokenStore.revokeSessions} revokes: one, or every one of a user. */
export type SessionSelector = { sessionId: number; userId?: string } | { userId: string; exceptSessionId?: number };

/** Which tokens {@link TokenStore.revokeTokens} revokes: one by id, or every one of a user (optionally of one kind). */
export type TokenSelector = { id: number; userId?: string } | { userId: string; kind?: string };

/** A JWT signing key. `privateJwk` is a JSON-serialised JWK (the secret for HS256). */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  privateJwk: string;
  /** JSON-serialised public JWK; null for symmetric keys. */
  publicJwk: string | null;
  createdAt: number;
  /** Set when the key stops signing; it still verifies until `expiresAt`. */
  retiredAt: number | null;
  /** After this, no token it signed can be valid and the key may be dropped. */
  expiresAt: number | null;
}

/** What a revocation entry names: one access token, a session, a user's tokens, one opaque token. */
export type RevocationKind = "jti" | "sid" | "user" | "token";

/**
 * A revocation entry. For `user`, every token issued to `value` at or before `revokedAt` is
 * dead. Entries only matter until `expiresAt`, when every token they cover has expired anyway.
 */
export interface RevocationRecord {
  kind: RevocationKind;
  value: string;
  revokedAt: number;
  expiresAt: number;
  /**
   * Whose token(s) an entry of kind `jti`, `sid` or `token` covers. It lets a user-wide cut-off
   * replace a user's many entries, which bounds the in-memory set per user; entries without it
   * are kept until they expire.
   */
  userId?: string | undefined;
}

/** Which revocation entries `listRevocations` reads, and how many at once. */
export interface RevocationQuery {
  now: number;
  since?: number | undefined;
  /** The last entry of the previous page: only entries after it in the order are read. */
  after?: Pick<RevocationRecord, "revokedAt" | "kind" | "value"> | undefined;
  /** At most this many entries. */
  limit?: number | undefined;
}

/**
 * What a revoking call writes with its rows, atomically: `entries` receives what was revoked
 * (possibly nothing) and returns the revocation entries to write in the same transaction.
 */
export interface RevokeOptions<T> {
  entries?: (revoked: readonly T[]) => RevocationRecord[];
}

/**
 * A machine client (OAuth 2.0 client credentials, RFC 6749 4.4): it authenticates with its id and
 * a secret and gets access tokens whose `sub` is its id. Ids are not secret.
 */
export interface ClientRecord {
  id: string;
  name: string;
  /** The scopes the client may ask for, space-separated. */
  scope: string;
  /** The user the client acts for, or null for a client of its own. */
  ownerId: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What {@link TokenStore.createClient} takes. */
export interface NewClient {
  id: string;
  name: string;
  scope: string;
  ownerId: string | null;
  now: number;
}

/** One secret of a client, kept by hash. A client has one or two live ones (two while rotating). */
export interface ClientSecretRecord {
  id: number;
  clientId: string;
  secretHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** What {@link TokenStore.addClientSecret} takes. */
export interface NewClientSecret {
  clientId: string;
  secretHash: string;
  now: number;
}

/** Which secrets {@link TokenStore.revokeClientSecrets} revokes: one, or all of a client (optionally all but one). */
export type ClientSecretSelector = { clientId: string; secretId: number } | { clientId: string; exceptSecretId?: number };

/** Who caused an audit event: a user, a machine client, an operator (the CLI), or nobody known (a failed login). */
export type AuditActorType = "user" | "client" | "operator" | "anonymous";

/**
 * One authentication event as the audit log keeps it. Never a secret, token or password:
 * tokens are named by id (`token:17`, `session:3`, `jti:...`, `client:tsr_ci_...`).
 */
export interface NewAuditEvent {
  /** epoch ms. */
  at: number;
  /** `login.succeeded`, `login.failed`, `token.revoked`, ... (docs/core.md, audit log). */
  type: string;
  actorType: AuditActorType;
  actorId: string | null;
  /** The user the event concerns (whose log it shows up in). */
  userId: string | null;
  clientId: string | null;
  sessionId: number | null;
  /** What was acted on: `token:17`, `session:3`, `jti:...`, `client:...`, `secret:4`, `key:KID`. */
  subject: string | null;
  /** Why, for failures (`unknown_user`, `wrong_password`, `reuse_detected`, the limit's name). */
  reason: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** How: `DELETE /api/tokens`, `cli: tessera tokens revoke`. */
  via: string | null;
  /** How many occurrences the row stands for (rate-limit refusals are aggregated per key and minute). */
  count: number;
}

/** A stored audit event; with the hash chain on, `hash` = SHA-256 over `prevHash` and the event. */
export interface AuditEventRecord extends NewAuditEvent {
  id: number;
  prevHash: string | null;
  hash: string | null;
}

/** Which audit events {@link TokenStore.listAuditEvents} reads; all filters optional. */
export interface AuditQuery {
  userId?: string | undefined;
  clientId?: string | undefined;
  /** Events about this one thing (`session:12`, `token:17`, `jti:...`). */
  subject?: string | undefined;
  types?: readonly string[] | undefined;
  /** epoch ms, inclusive. */
  since?: number | undefined;
  /** epoch ms, exclusive. */
  until?: number | undefined;
  /** Newest first, with ids below this one (a page cursor). */
  beforeId?: number | undefined;
  /** Oldest first, with ids above this one (following the log); takes precedence over `beforeId`. */
  afterId?: number | undefined;
  /** 1 to 1000. */
  limit: number;
}

/** How many rows {@link TokenStore.deleteExpired} removed, per table. */
export interface ExpiredRows {
  sessions: number;
  tokens: number;
  signingKeys: number;
  revocations: number;
}

/**
 * The storage interface of Tessera's token system.
 *
 * @example
 * const store = await openTokenStore("sqlite:./data/app.db");
 * await store.migrate();
 * const tessera = await createTessera({ store, users, issuer, audience });
 */
export interface TokenStore {
  /** Creates the session and the first link of its refresh chain, atomically. */
  createSession(session: NewSession): Promise<SessionRecord>;
  getSession(id: number): Promise<SessionRecord | null>;
  /** The user's sessions not revoked, newest first. */
  listSessions(userId: string): Promise<SessionRecord[]>;
  touchSession(id: number, now: number): Promise<void>;
  /**
   * Revokes the live sessions selected; returns their ids (empty when none was live). With
   * `entries`, the revocation entries it returns for those ids are written in the same
   * transaction: a failure leaves neither the sessions nor the entries changed.
   */
  revokeSessions(selector: SessionSelector, now: number, options?: RevokeOptions<number>): Promise<number[]>;
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Spends `oldHash` and appends `newHash` to its chain, atomically and only if `oldHash` is
   * unspent and its session live. Exactly one of any number of concurrent calls wins (true).
   */
  rotateRefreshToken(rotation: RefreshRotation): Promise<boolean>;

  createToken(token: NewStoredToken): Promise<StoredTokenRecord>;
  findTokenByHash(tokenHash: string): Promise<StoredTokenRecord | null>;
  /** A token by id, revoked or not (operators look tokens up by the id a user reports). */
  getTokenById(id: number): Promise<StoredTokenRecord | null>;
  /** The user's tokens of `kind` not revoked, newest first. */
  listTokens(userId: string, kind: string): Promise<StoredTokenRecord[]>;
  /**
   * Revokes the live tokens selected; returns them, now revoked (`revokedAt` set), oldest first
   * (empty when none was live). With `entries`, as {@link TokenStore.revokeSessions}.
   */
  revokeTokens(selector: TokenSelector, now: number, options?: RevokeOptions<StoredTokenRecord>): Promise<StoredTokenRecord[]>;
  touchToken(id: number, now: number): Promise<void>;

  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Inserts a key; returns false when the kid exists. */
  insertSigningKey(key: SigningKeyRecord): Promise<boolean>;
  retireSigningKey(kid: string, retiredAt: number, expiresAt: number): Promise<void>;

  addRevocation(revocation: RevocationRecord): Promise<void>;
  /**
   * Entries with `expiresAt > now` (and, with `since`, revoked at or after it), ordered by
   * (`revokedAt`, `kind`, `value`). With `limit`, at most that many; with `after`, only those
   * past that position in the order: together they read the entries a page at a time.
   */
  listRevocations(options: RevocationQuery): Promise<RevocationRecord[]>;

  /** Inserts a client (its id chosen by the caller, random and unique). */
  createClient(client: NewClient): Promise<ClientRecord>;
  /** A client by id, revoked or not. */
  getClient(id: string): Promise<ClientRecord | null>;
  /** The clients not revoked (of one owner, when given), newest first. */
  listClients(options?: { ownerId?: string }): Promise<ClientRecord[]>;
  /** Revokes a live client and every secret of it; returns it, now revoked, or null when it was not live. */
  revokeClient(id: string, now: number): Promise<ClientRecord | null>;
  touchClient(id: string, now: number): Promise<void>;
  addClientSecret(secret: NewClientSecret): Promise<ClientSecretRecord>;
  /** The client's secrets not revoked, oldest first. */
  listClientSecrets(clientId: string): Promise<ClientSecretRecord[]>;
  /** Revokes the live secrets selected; returns them, now revoked (empty when none was live). */
  revokeClientSecrets(selector: ClientSecretSelector, now: number): Promise<ClientSecretRecord[]>;
  touchClientSecret(id: number, now: number): Promise<void>;

  /**
   * Appends audit events in one transaction. With `chain`, each row's `hash` chains to the
   * previous row's (`hashOf(prevHash, event)`); the chain head is locked while appending, so
   * concurrent writers (instances) extend one chain.
   */
  appendAuditEvents(events: readonly NewAuditEvent[], options?: { chain?: (prevHash: string | null, event: NewAuditEvent) => string }): Promise<void>;
  /** Audit events matching the query: newest first, or oldest first after `afterId`. */
  listAuditEvents(query: AuditQuery): Promise<AuditEventRecord[]>;
  /** Retention: deletes the audit events older than `before` (epoch ms); returns how many. */
  deleteAuditEventsBefore(before: number): Promise<number>;

  /** A named secret created once and shared by every instance (first writer wins). */
  getOrCreateSecret(name: string, create: () => string): Promise<string>;

  /**
   * Housekeeping: drops expired refresh links and the sessions left without any, expired
   * tokens, expired signing keys and expired revocation entries.
   */
  deleteExpired(now: number): Promise<ExpiredRows>;
  /** Deletes every session and token row of a user the app deleted (revocation entries stay). */
  deleteUserData(userId: string): Promise<void>;

  /** Resolves when the backend answers; throws BackendUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The storage Tessera needs, and nothing more: users, sessions with their refresh
 * chains, personal access tokens, signing keys and revocations. Times are epoch
 * milliseconds. Token values never reach a store: only their SHA-256 hashes (hex).
 *
 * Implementations: `src/stores/sql` (SQLite and PostgreSQL through one Kysely code path).
 * Every method may throw `BackendUnavailableError` when the backend does not answer.
 */

/** A user account. `passwordHash` is a PHC string (argon2id) or an imported legacy hash. */
export interface UserRecord {
  id: number;
  username: string;
  email: string | null;
  aboutMe: string | null;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: number;
  lastSeenAt: number | null;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  email?: string | null;
  aboutMe?: string | null;
  isAdmin?: boolean;
  now: number;
}

export interface UserPatch {
  username?: string;
  email?: string | null;
  aboutMe?: string | null;
}

/** One login. Its refresh tokens form a chain; revoking it kills every token descended from it. */
export interface SessionRecord {
  id: number;
  userId: number;
  scope: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: number;
  lastUsedAt: number;
  revokedAt: number | null;
}

export interface NewSession {
  userId: number;
  scope: string;
  userAgent: string | null;
  ip: string | null;
  now: number;
  /** The first refresh token of the chain. */
  refreshTokenHash: string;
  refreshExpiresAt: number;
}

/** One link of a session's refresh chain. */
export interface RefreshTokenRecord {
  tokenHash: string;
  sessionId: number;
  userId: number;
  createdAt: number;
  expiresAt: number;
  /** When it was exchanged for its successor; null while it is the live end of the chain. */
  spentAt: number | null;
  /** Whether the session it belongs to was revoked. */
  sessionRevoked: boolean;
}

export interface RotateRefreshToken {
  oldHash: string;
  newHash: string;
  now: number;
  newExpiresAt: number;
}

export interface PersonalAccessTokenRecord {
  id: number;
  userId: number;
  name: string;
  scope: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface NewPersonalAccessToken {
  userId: number;
  name: string;
  scope: string;
  tokenHash: string;
  now: number;
  expiresAt: number | null;
}

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

export type RevocationKind = "jti" | "sid" | "user" | "pat";

/**
 * A revocation entry. For `user`, every token issued to `value` at or before
 * `revokedAt` is dead. Entries only matter until `expiresAt`, when every token they
 * cover has expired anyway, which keeps the live set small.
 */
export interface RevocationRecord {
  kind: RevocationKind;
  value: string;
  revokedAt: number;
  expiresAt: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface AuthStore {
  // users
  /** Returns null when the username is taken (case-insensitively). */
  createUser(user: NewUser): Promise<UserRecord | null>;
  getUserById(id: number): Promise<UserRecord | null>;
  /** Case-insensitive. */
  getUserByUsername(username: string): Promise<UserRecord | null>;
  /** Returns "taken" on a username clash, null when the user does not exist. */
  updateUser(id: number, patch: UserPatch): Promise<UserRecord | "taken" | null>;
  setPasswordHash(id: number, passwordHash: string): Promise<void>;
  touchUser(id: number, now: number): Promise<void>;
  /** Deletes the user and everything that hangs off it (sessions, tokens). */
  deleteUser(id: number): Promise<boolean>;
  listUsers(options: { offset: number; limit: number }): Promise<Page<UserRecord>>;

  // sessions and refresh chains
  createSession(session: NewSession): Promise<SessionRecord>;
  getSession(id: number): Promise<SessionRecord | null>;
  /** Sessions not revoked, newest first. */
  listSessions(userId: number): Promise<SessionRecord[]>;
  touchSession(id: number, now: number): Promise<void>;
  /** Returns false when it was already revoked or does not exist. */
  revokeSession(id: number, now: number): Promise<boolean>;
  /** Revokes every live session of the user except `exceptSessionId`; returns the ids revoked. */
  revokeUserSessions(userId: number, now: number, options?: { exceptSessionId?: number }): Promise<number[]>;
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Spends `oldHash` and appends `newHash` to its chain, atomically and only if
   * `oldHash` is unspent and its session live. Exactly one of any number of
   * concurrent calls for the same `oldHash` returns true.
   */
  rotateRefreshToken(rotation: RotateRefreshToken): Promise<boolean>;
  /**
   * Deletes refresh tokens past their expiry, then the sessions left without any (they can mint
   * nothing more); returns how many sessions went. Revocation entries are kept apart and stay.
   */
  deleteExpiredSessions(now: number): Promise<number>;

  // personal access tokens
  createPersonalAccessToken(token: NewPersonalAccessToken): Promise<PersonalAccessTokenRecord>;
  getPersonalAccessTokenByHash(tokenHash: string): Promise<PersonalAccessTokenRecord | null>;
  /** Tokens not revoked, newest first. */
  listPersonalAccessTokens(userId: number): Promise<PersonalAccessTokenRecord[]>;
  /** Revokes the user's token `id`; returns it, or null when there is none to revoke. */
  revokePersonalAccessToken(userId: number, id: number, now: number): Promise<PersonalAccessTokenRecord | null>;
  touchPersonalAccessToken(id: number, now: number): Promise<void>;

  // signing keys
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Inserts a key; returns false when the kid exists. */
  insertSigningKey(key: SigningKeyRecord): Promise<boolean>;
  retireSigningKey(kid: string, retiredAt: number, expiresAt: number): Promise<void>;
  deleteExpiredSigningKeys(now: number): Promise<number>;

  // revocations
  addRevocation(revocation: RevocationRecord): Promise<void>;
  /** Entries with `expiresAt > now` (and, with `since`, revoked at or after it). */
  listRevocations(options: { now: number; since?: number }): Promise<RevocationRecord[]>;
  deleteExpiredRevocations(now: number): Promise<number>;

  /**
   * A named secret created once and shared by every instance (first writer wins).
   * Used for the refresh-token successor derivation key.
   */
  getOrCreateSecret(name: string, create: () => string): Promise<string>;

  /** Resolves when the backend answers; throws BackendUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

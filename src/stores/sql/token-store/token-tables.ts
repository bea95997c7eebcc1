import type { ColumnType } from "kysely";

/**
 * An integer column as drivers hand it back: a number from the connections Tessera opens, but a
 * string (pg's default for BIGINT) or a bigint from a connection the app configured itself.
 * `readInteger` turns every one into a number.
 */
export type IntegerColumn = ColumnType<number | string | bigint, number, number>;
/** {@link IntegerColumn}, nullable. */
export type NullableIntegerColumn = ColumnType<number | string | bigint | null, number | null, number | null>;
/** An identity primary key: generated on insert, never updated. */
export type IdentityColumn = ColumnType<number | string | bigint, number | undefined, never>;

/**
 * The token store's tables under their logical names, as Kysely sees them. The physical names
 * carry the store's prefix (`tessera_sessions`, ...), applied by `TablePrefixPlugin`. Times are
 * epoch milliseconds (BIGINT); user ids are TEXT, whatever the app's ids are.
 *
 * @example
 * const store = await openTokenStore("sqlite::memory:");
 * const db: Kysely<TokenDatabase> = store.db;
 * await db.selectFrom("sessions").select("id").execute(); // reads tessera_sessions
 */
export interface TokenDatabase {
  sessions: TokenSessionsTable;
  refresh_tokens: TokenRefreshTokensTable;
  tokens: StoredTokensTable;
  signing_keys: TokenSigningKeysTable;
  revocations: TokenRevocationsTable;
  secrets: TokenSecretsTable;
  clients: TokenClientsTable;
  client_secrets: TokenClientSecretsTable;
  audit_events: TokenAuditEventsTable;
  audit_chain: TokenAuditChainTable;
}

/** `${prefix}sessions`. */
export interface TokenSessionsTable {
  id: IdentityColumn;
  user_id: string;
  scope: string;
  user_agent: string | null;
  ip: string | null;
  created_at: IntegerColumn;
  last_used_at: IntegerColumn;
  revoked_at: NullableIntegerColumn;
}

/** `${prefix}refresh_tokens`: the links of each session's refresh chain. */
export interface TokenRefreshTokensTable {
  token_hash: string;
  session_id: IntegerColumn;
  user_id: string;
  created_at: IntegerColumn;
  expires_at: IntegerColumn;
  spent_at: NullableIntegerColumn;
}

/** `${prefix}tokens`: opaque tokens of every kind (`pat` and the app's own). */
export interface StoredTokensTable {
  id: IdentityColumn;
  kind: string;
  user_id: string;
  name: string;
  scope: string;
  token_hash: string;
  created_at: IntegerColumn;
  expires_at: NullableIntegerColumn;
  last_used_at: NullableIntegerColumn;
  revoked_at: NullableIntegerColumn;
}

/** `${prefix}signing_keys`. */
export interface TokenSigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string | null;
  created_at: IntegerColumn;
  retired_at: NullableIntegerColumn;
  expires_at: NullableIntegerColumn;
}

/** `${prefix}revocations`: one row per (kind, value). */
export interface TokenRevocationsTable {
  kind: string;
  value: string;
  revoked_at: IntegerColumn;
  expires_at: IntegerColumn;
  /** Whose token(s) the entry covers (`jti`, `sid`, `token`); null for `user` entries and older rows. */
  user_id: string | null;
}

/** `${prefix}secrets`. */
export interface TokenSecretsTable {
  name: string;
  value: string;
}

/** `${prefix}clients`: machine clients (OAuth 2.0 client credentials). */
export interface TokenClientsTable {
  id: string;
  name: string;
  scope: string;
  owner_id: string | null;
  created_at: IntegerColumn;
  last_used_at: NullableIntegerColumn;
  revoked_at: NullableIntegerColumn;
}

/** `${prefix}client_secrets`: the clients' secrets, by SHA-256 hash. */
export interface TokenClientSecretsTable {
  id: IdentityColumn;
  client_id: string;
  secret_hash: string;
  created_at: IntegerColumn;
  last_used_at: NullableIntegerColumn;
  revoked_at: NullableIntegerColumn;
}

/** `${prefix}audit_events`: the audit log, append-only (retention deletes the oldest rows). */
export interface TokenAuditEventsTable {
  id: IdentityColumn;
  at: IntegerColumn;
  type: string;
  actor_type: string;
  actor_id: string | null;
  user_id: string | null;
  client_id: string | null;
  session_id: NullableIntegerColumn;
  subject: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  via: string | null;
  count: IntegerColumn;
  prev_hash: string | null;
  hash: string | null;
}

/** `${prefix}audit_chain`: one row (`id` 1), the hash of the newest chained audit event. */
export interface TokenAuditChainTable {
  id: number;
  head: string | null;
}

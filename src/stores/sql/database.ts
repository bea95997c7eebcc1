import type { Generated } from "kysely";

/**
 * The tables as Kysely sees them. Times are epoch milliseconds stored as BIGINT
 * (PostgreSQL's int8 strings are turned into numbers by the dialect); booleans are
 * integers 0/1 on every database (see `columns.ts`).
 *
 * @example
 * const db: Kysely<Database> = store.db;
 * await db.selectFrom("users").select("id").execute();
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  personal_access_tokens: PersonalAccessTokensTable;
  signing_keys: SigningKeysTable;
  revocations: RevocationsTable;
  secrets: SecretsTable;
  posts: PostsTable;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  /** Unique: usernames are unique case-insensitively. */
  username_lower: string;
  email: string | null;
  about_me: string | null;
  password_hash: string;
  is_admin: number;
  created_at: number;
  last_seen_at: number | null;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  scope: string;
  user_agent: string | null;
  ip: string | null;
  created_at: number;
  last_used_at: number;
  revoked_at: number | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: number;
  user_id: number;
  created_at: number;
  expires_at: number;
  spent_at: number | null;
}

export interface PersonalAccessTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  scope: string;
  token_hash: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string | null;
  created_at: number;
  retired_at: number | null;
  expires_at: number | null;
}

export interface RevocationsTable {
  kind: string;
  value: string;
  revoked_at: number;
  expires_at: number;
}

export interface SecretsTable {
  name: string;
  value: string;
}

export interface PostsTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  body: string;
  created_at: number;
  updated_at: number;
}

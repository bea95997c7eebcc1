import type { Generated } from "kysely";
import type { IntegerColumn, NullableIntegerColumn } from "../../stores/sql/token-store/token-tables.js";

/**
 * The reference server's own tables, as Kysely sees them. Times are epoch milliseconds (BIGINT),
 * booleans integers 0/1; integer columns are read through `readInteger`, since a pg pool the
 * app configured hands BIGINT back as a string.
 */
export interface ServerDatabase {
  users: UsersTable;
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
  created_at: IntegerColumn;
  last_seen_at: NullableIntegerColumn;
}

export interface PostsTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  body: string;
  created_at: IntegerColumn;
  updated_at: IntegerColumn;
}

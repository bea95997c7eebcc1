import { sql, type Kysely, type RawBuilder } from "kysely";
import type { SqlDialectName } from "../dialect.js";
import { readTableColumns } from "../table-catalog.js";
import { DEFAULT_TABLE_PREFIX } from "./table-prefix.js";
import { withoutTablePrefix } from "./table-prefix-plugin.js";

/** The token store's first step: it creates the tables and copies 0.1.0's rows. */
export const TOKEN_TABLES_MIGRATION_NAME = "0001_token_tables";

/**
 * The tables of a Tessera 0.1.0 database and the columns the copy reads from each. `users` and
 * `posts` are not copied (the server keeps them) but are part of the layout.
 */
export const LEGACY_TABLE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  users: ["id", "username", "username_lower", "password_hash", "is_admin"],
  sessions: ["id", "user_id", "scope", "user_agent", "ip", "created_at", "last_used_at", "revoked_at"],
  refresh_tokens: ["token_hash", "session_id", "user_id", "created_at", "expires_at", "spent_at"],
  personal_access_tokens: ["id", "user_id", "name", "scope", "token_hash", "created_at", "expires_at", "last_used_at", "revoked_at"],
  signing_keys: ["kid", "alg", "private_jwk", "public_jwk", "created_at", "retired_at", "expires_at"],
  revocations: ["kind", "value", "revoked_at", "expires_at"],
  secrets: ["name", "value"],
  posts: ["id", "user_id", "title", "body", "created_at", "updated_at"],
};

/** The 0.1.0 token tables, children before parents (the order they can be dropped in). */
export const LEGACY_TOKEN_TABLES: readonly string[] = [
  "refresh_tokens",
  "sessions",
  "personal_access_tokens",
  "signing_keys",
  "revocations",
  "secrets",
];

/** The 0.1.0 migration, recorded in Kysely's default migration table. */
const LEGACY_MIGRATION_TABLE = "kysely_migration";
const LEGACY_MIGRATION_NAME = "0001_initial";

/** A physical table name, qualified with the schema on PostgreSQL; an identifier the prefix plugin never touches. */
export function physicalTable(schema: string | undefined, name: string): RawBuilder<unknown> {
  return schema === undefined ? sql.id(name) : sql.id(schema, name);
}

/**
 * Whether the database is one Tessera 0.1.0 made: Kysely's `kysely_migration` records
 * `0001_initial`, AND every table of that release is there with the columns the copy reads.
 * Both, because an app's own first Kysely migration is often called `0001_initial` too, and an
 * app may well have `users` and `sessions` tables of its own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function hasLegacyLayout(db: Kysely<any>, dialect: SqlDialectName, schema: string | undefined): Promise<boolean> {
  const plain = withoutTablePrefix(db);
  const tables = [...Object.keys(LEGACY_TABLE_COLUMNS), LEGACY_MIGRATION_TABLE];
  const found = await readTableColumns(plain, dialect, schema, tables);
  const complete = Object.entries(LEGACY_TABLE_COLUMNS).every(([table, columns]) => {
    const present = found.get(table);
    return present !== undefined && columns.every((column) => present.has(column));
  });
  if (!complete || !found.get(LEGACY_MIGRATION_TABLE)?.has("name")) return false;
  const recorded = await sql<{ name: string }>`
    select name from ${physicalTable(schema, LEGACY_MIGRATION_TABLE)} where name = ${LEGACY_MIGRATION_NAME}`.execute(plain);
  return recorded.rows.length > 0;
}

/**
 * Whether a token store with the default prefix has run its first migration here: the step that
 * copies a 0.1.0 database's token rows. Whoever drops the 0.1.0 tables asks this first.
 *
 * @example
 * if (!(await hasCopiedLegacyRows(db, "sqlite", undefined))) throw new Error("migrate the token store first");
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function hasCopiedLegacyRows(db: Kysely<any>, dialect: SqlDialectName, schema: string | undefined): Promise<boolean> {
  const plain = withoutTablePrefix(db);
  const migrationTable = `${DEFAULT_TABLE_PREFIX}migration`;
  const found = await readTableColumns(plain, dialect, schema, [migrationTable]);
  if (!found.get(migrationTable)?.has("name")) return false;
  const recorded = await sql<{ name: string }>`
    select name from ${physicalTable(schema, migrationTable)} where name = ${TOKEN_TABLES_MIGRATION_NAME}`.execute(plain);
  return recorded.rows.length > 0;
}

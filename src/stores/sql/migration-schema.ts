import { sql, type Kysely } from "kysely";
import type { SqlDialectName } from "./dialect.js";

/**
 * The schema a migrator keeps its tables in: none on SQLite; on PostgreSQL the one configured,
 * else the connection's `current_schema()`. When `search_path` names no schema that exists,
 * `current_schema()` is NULL: guessing `public` would put the migration tables there while the
 * migration's own tables fail to be created, so this throws instead.
 *
 * @example
 * const schema = await resolveMigrationSchema(db, "postgres", undefined); // "public"
 */
export async function resolveMigrationSchema(
  // One catalog query, whatever tables the caller types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: SqlDialectName,
  configured: string | undefined,
): Promise<string | undefined> {
  if (dialect === "sqlite") return undefined;
  if (configured !== undefined) return configured;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? null;
  if (schema === null) {
    throw new Error("the connection's search_path names no schema that exists: create it, or pass the schema option so migrate() creates it");
  }
  return schema;
}

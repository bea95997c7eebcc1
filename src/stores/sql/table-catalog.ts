import { sql, type Kysely } from "kysely";
import type { SqlDialectName } from "./dialect.js";

/**
 * The columns of those of `tables` that exist, by table name: in SQLite's main database, or in
 * PostgreSQL's `schema`. For migrations that must look before they act (a 0.1.0 layout, a
 * table an earlier step should have created).
 *
 * @example
 * const columns = await readTableColumns(db, "postgres", "public", ["users"]);
 * columns.get("users")?.has("username"); // true
 */
export async function readTableColumns(
  // Catalog queries name no table of any Database type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialect: SqlDialectName,
  schema: string | undefined,
  tables: readonly string[],
): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  if (tables.length === 0) return found;
  const names = sql.join(tables.map((table) => sql.val(table)));
  const query =
    dialect === "sqlite"
      ? sql<{ table_name: string; column_name: string }>`
          select m.name as table_name, p.name as column_name
          from sqlite_master m join pragma_table_info(m.name) p
          where m.type = 'table' and m.name in (${names})`
      : sql<{ table_name: string; column_name: string }>`
          select table_name, column_name from information_schema.columns
          where table_schema = ${schema ?? "public"} and table_name in (${names})`;
  const { rows } = await query.execute(db);
  for (const row of rows) {
    let columns = found.get(row.table_name);
    if (columns === undefined) found.set(row.table_name, (columns = new Set()));
    columns.add(row.column_name);
  }
  return found;
}

import type { SqlDialect, SqlDialectName } from "./dialect.js";
import { createPostgresDialect } from "./postgres-dialect.js";
import { sqliteDialect } from "./sqlite-dialect.js";

/**
 * The dialect object for a database named by a store (`store.dialect`), for code that shares a
 * store's connection. Loads no driver. `schema` is PostgreSQL's, as in `createPostgresDialect`.
 *
 * @example
 * const dialect = sqlDialectByName(tokenStore.dialect);
 */
export function sqlDialectByName(name: SqlDialectName, schema?: string): SqlDialect {
  return name === "sqlite" ? sqliteDialect : createPostgresDialect(schema);
}

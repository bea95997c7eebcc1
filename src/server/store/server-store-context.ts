import type { Kysely } from "kysely";
import type { SqlDialect } from "../../stores/sql/dialect.js";
import type { ServerDatabase } from "./server-tables.js";

/** What the server store's query modules are built from. */
export interface ServerStoreContext {
  db: Kysely<ServerDatabase>;
  dialect: SqlDialect;
  /** PostgreSQL: the schema configured; undefined means the connection's `current_schema()`. */
  schema: string | undefined;
}

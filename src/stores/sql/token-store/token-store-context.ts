import type { Kysely } from "kysely";
import type { SqlDialect } from "../dialect.js";
import type { TokenDatabase } from "./token-tables.js";

/** What every token-store query module is built from. */
export interface TokenStoreContext {
  /** Queries use logical table names; the prefix plugin on this instance makes them physical. */
  db: Kysely<TokenDatabase>;
  dialect: SqlDialect;
  /** The physical prefix, for the names a plugin cannot rewrite (indexes, constraints). */
  prefix: string;
  /** PostgreSQL: the schema configured (option or `?schema=`); undefined means the connection's own. */
  schema: string | undefined;
}

import { sql, type Kysely } from "kysely";
import type { TokenStore } from "../../../core/token-store.js";
import type { SqlDialectName } from "../dialect.js";
import { createAuditQueries } from "./audit-queries.js";
import { createClientQueries } from "./client-queries.js";
import { createCleanupQueries } from "./cleanup-queries.js";
import { migrateTokenStore } from "./migrate-token-store.js";
import { createRevocationQueries } from "./revocation-queries.js";
import { createSecretQueries } from "./secret-queries.js";
import { createSessionQueries } from "./session-queries.js";
import { createSigningKeyQueries } from "./signing-key-queries.js";
import { createStoredTokenQueries } from "./stored-token-queries.js";
import type { TokenStoreContext } from "./token-store-context.js";
import type { TokenDatabase } from "./token-tables.js";

/**
 * A {@link TokenStore} over SQL, with what only a SQL store has.
 *
 * @example
 * const store: SqlTokenStore = await openTokenStore("sqlite:./data/app.db");
 * await store.migrate();
 */
export interface SqlTokenStore extends TokenStore {
  /**
   * Creates or updates the token tables; returns the names of the steps this call applied
   * (empty when up to date). In a database made by Tessera 0.1.0, run it before the reference
   * server's own migrations: its first step copies the 0.1.0 token rows the server's then drop.
   */
  migrate(): Promise<string[]>;
  /**
   * The Kysely instance the store queries through, with logical table names (`sessions`
   * reads `${prefix}sessions`). For queries the store does not cover; errors from it are not
   * translated into `BackendUnavailableError`.
   */
  readonly db: Kysely<TokenDatabase>;
  readonly dialect: SqlDialectName;
}

/**
 * The SQL TokenStore over one Kysely instance, the same code for SQLite and PostgreSQL. Errors
 * are raw driver errors here; `openTokenStore` wraps the result so outages surface as
 * `BackendUnavailableError`.
 *
 * @example
 * const store = createSqlTokenStore(context, { close: () => context.db.destroy() });
 */
export function createSqlTokenStore(context: TokenStoreContext, lifecycle: { close(): Promise<void> }): SqlTokenStore {
  return {
    ...createSessionQueries(context),
    ...createStoredTokenQueries(context),
    ...createSigningKeyQueries(context),
    ...createRevocationQueries(context),
    ...createSecretQueries(context),
    ...createClientQueries(context),
    ...createAuditQueries(context),
    ...createCleanupQueries(context),
    async ping() {
      await sql`select 1`.execute(context.db);
    },
    close: () => lifecycle.close(),
    migrate: () => migrateTokenStore(context),
    db: context.db,
    dialect: context.dialect.name,
  };
}

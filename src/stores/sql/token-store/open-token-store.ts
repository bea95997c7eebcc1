import type { Kysely } from "kysely";
import { guardBackendErrors } from "../backend-errors.js";
import type { SqlDialectName } from "../dialect.js";
import { createSqlTokenStore, type SqlTokenStore } from "./create-sql-token-store.js";
import { checkTablePrefix, DEFAULT_TABLE_PREFIX, TOKEN_TABLES } from "./table-prefix.js";
import { TablePrefixPlugin } from "./table-prefix-plugin.js";
import { connectSource, type TokenStoreSource } from "./token-store-source.js";
import type { TokenDatabase } from "./token-tables.js";

/**
 * Options of {@link openTokenStore}; every field is optional.
 *
 * @example
 * const options: TokenStoreOptions = { prefix: "auth_", schema: "app" };
 */
export interface TokenStoreOptions {
  /** Starts every table, index and constraint name. Default `"tessera_"`; `^[a-z_][a-z0-9_]*$`, at most 32 characters. */
  prefix?: string | undefined;
  /**
   * PostgreSQL schema for the tables (created by `migrate()` if missing). With a URL it
   * overrides `?schema=` and becomes the pool's `search_path`; with the app's Pool or Kysely,
   * the store qualifies its tables with it instead and leaves `search_path` alone.
   */
  schema?: string | undefined;
  /** For a Kysely instance whose database cannot be told from its adapter. */
  dialect?: SqlDialectName | undefined;
  /** PostgreSQL URL only: pool size. Default 10. */
  poolSize?: number | undefined;
  /**
   * PostgreSQL URL only: the longest any store call waits for the database, in total (pool
   * acquire, connect and every query of the call together). Default 5000.
   */
  connectionTimeoutMs?: number | undefined;
  /** SQLite URL only: the longest wait for another connection's write lock. Default 5000. */
  busyTimeoutMs?: number | undefined;
  /** SQLite file: told when an existing database file readable by others was tightened to 0600. */
  onWarning?: ((message: string) => void) | undefined;
}

/**
 * Opens Tessera's token store on a database URL or on a connection the app already has (a
 * better-sqlite3 `Database`, a `pg` `Pool`, a `Kysely` instance). Call `migrate()` before first
 * use. Its tables carry the prefix and hold user ids as text, with no foreign key into the
 * app's users. `close()` closes only a connection the store opened from a URL, never the app's.
 *
 * Drivers are imported only when a URL needs them; a missing one is a `ConfigError` naming the
 * package. A bad URL, prefix, schema or source is a `ConfigError`; a database that does not
 * answer is a `BackendUnavailableError` from every method.
 *
 * Sharing one better-sqlite3 `Database` means sharing its single connection: statements the app
 * runs while one of the store's transactions awaits become part of it. Pass a Kysely instance
 * over the same database instead to have Kysely take turns between the two.
 *
 * @example
 * const store = await openTokenStore("sqlite:./data/app.db");
 * await store.migrate();
 * const session = await store.getSession(1);
 * await store.close();
 *
 * @example
 * const store = await openTokenStore(appPool, { prefix: "auth_" }); // the app's pg Pool
 */
export async function openTokenStore(source: TokenStoreSource, options: TokenStoreOptions = {}): Promise<SqlTokenStore> {
  // Checked before anything is opened, so a bad prefix leaves nothing to close.
  const prefix = checkTablePrefix(options.prefix ?? DEFAULT_TABLE_PREFIX);
  const connection = await connectSource(source, options);
  const db = connection.db.withPlugin(new TablePrefixPlugin(prefix, TOKEN_TABLES)) as Kysely<TokenDatabase>;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= connection.owned ? connection.db.destroy() : Promise.resolve());
  const store = createSqlTokenStore({ db, dialect: connection.dialect, prefix, schema: connection.schema }, { close });
  return guardBackendErrors(store, connection.dialect.isUnavailable, { budgetMs: databaseBudgetMs(connection, options) });
}

/**
 * The time budget of each store call: a PostgreSQL pool the store opened from a URL has its waits
 * bounded by it (SQLite's waits are bounded by its busy timeout; an app's own pool by the app).
 */
function databaseBudgetMs(connection: { owned: boolean; dialect: { name: SqlDialectName } }, options: Pick<TokenStoreOptions, "connectionTimeoutMs">): number | undefined {
  return connection.owned && connection.dialect.name === "postgres" ? (options.connectionTimeoutMs ?? 5000) : undefined;
}

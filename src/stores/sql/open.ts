import type { Kysely } from "kysely";
import type { AuthStore } from "../../core/store.js";
import { createSqlAuthStore } from "./auth-store.js";
import { guardBackendErrors } from "./backend-errors.js";
import type { Database } from "./database.js";
import type { SqlContext, SqlDialectName } from "./dialect.js";
import { runMigrations } from "./migrate.js";
import { createSqlPostStore, type PostStore } from "./post-store.js";
import { parseDatabaseUrl, type DatabaseLocation } from "./url.js";

/**
 * Tuning for `openSqlStore`; every field is optional.
 *
 * @example
 * const options: SqlStoreOptions = { poolSize: 20, connectionTimeoutMs: 2000 };
 */
export interface SqlStoreOptions {
  /** PostgreSQL schema to use (created by `migrate()`); overrides `?schema=` in the URL. */
  schema?: string | undefined;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number | undefined;
  /** PostgreSQL: how long to wait for a connection, new or pooled. Default 5000. */
  connectionTimeoutMs?: number | undefined;
  /** SQLite: how long to wait for another connection's write lock. Default 5000. */
  busyTimeoutMs?: number | undefined;
}

/**
 * An open SQL database with the stores built on it.
 *
 * @example
 * const { auth, posts } = await openSqlStore("sqlite::memory:");
 */
export interface SqlStore {
  auth: AuthStore;
  posts: PostStore;
  /** The Kysely instance, for queries the stores do not cover. Errors from it are not translated. */
  db: Kysely<Database>;
  dialect: SqlDialectName;
  /** Applies pending migrations; returns the names this call applied (empty when up to date). */
  migrate(): Promise<string[]>;
  /** Resolves when the database answers; throws BackendUnavailableError otherwise. */
  ping(): Promise<void>;
  /** Closes the connection(s). Safe to call more than once, and `auth.close()` is the same call. */
  close(): Promise<void>;
}

async function openContext(location: DatabaseLocation, options: SqlStoreOptions): Promise<SqlContext> {
  // Each driver is imported only when a URL asks for it.
  if (location.kind === "sqlite") {
    const { openSqliteDatabase } = await import("./sqlite-dialect.js");
    return openSqliteDatabase({ filename: location.filename, busyTimeoutMs: options.busyTimeoutMs ?? 5000 });
  }
  const { openPostgresDatabase } = await import("./postgres-dialect.js");
  return openPostgresDatabase({
    connectionString: location.connectionString,
    schema: location.schema,
    poolSize: options.poolSize ?? 10,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 5000,
  });
}

/**
 * Opens `sqlite:PATH`, `sqlite::memory:` or `postgres://...` and builds the stores on
 * it. Throws `ConfigError` for a bad URL. Call `migrate()` before first use.
 *
 * @example
 * const store = await openSqlStore("sqlite:./data/tessera.db");
 * await store.migrate();
 * const user = await store.auth.getUserByUsername("alice");
 * await store.close();
 */
export async function openSqlStore(url: string, options: SqlStoreOptions = {}): Promise<SqlStore> {
  const location = parseDatabaseUrl(url, options.schema);
  const context = await openContext(location, options);
  const { db, dialect } = context;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= db.destroy());
  const lifecycle = { close };
  const auth = guardBackendErrors(createSqlAuthStore(context, lifecycle), dialect.isUnavailable);
  const { migrate } = guardBackendErrors({ migrate: () => runMigrations(context) }, dialect.isUnavailable);
  return {
    auth,
    posts: guardBackendErrors(createSqlPostStore(context), dialect.isUnavailable),
    db,
    dialect: dialect.name,
    migrate,
    ping: () => auth.ping(),
    close,
  };
}

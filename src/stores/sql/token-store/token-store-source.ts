import { Kysely, PostgresAdapter, SqliteAdapter, type PostgresPool, type SqliteDatabase } from "kysely";
import { ConfigError } from "../../../core/errors.js";
import type { SqlDialect, SqlDialectName } from "../dialect.js";
import { createPostgresDialect, openPostgresDatabase } from "../postgres-dialect.js";
import { RaceFreePostgresDialect } from "../postgres-introspector.js";
import { createSqliteKysely, openSqliteDatabase, sqliteDialect } from "../sqlite-dialect.js";
import { checkSchemaName, parseDatabaseUrl } from "../url.js";
import { importDriver } from "./driver-import.js";

/**
 * Where a token store keeps its tables: a URL (`sqlite:PATH`, `sqlite::memory:`,
 * `postgres://...`) the store opens itself, or a connection the app already has: a
 * better-sqlite3 `Database`, a `pg` `Pool` or a `Kysely` instance.
 *
 * @example
 * const source: TokenStoreSource = new pg.Pool({ connectionString });
 */
// Kysely<any>: the app's Kysely carries the app's own table types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TokenStoreSource = string | SqliteDatabase | PostgresPool | Kysely<any>;

/** The connection options `openTokenStore` passes on; see `TokenStoreOptions`. */
export interface ConnectOptions {
  schema?: string | undefined;
  dialect?: SqlDialectName | undefined;
  poolSize?: number | undefined;
  connectionTimeoutMs?: number | undefined;
  busyTimeoutMs?: number | undefined;
  onWarning?: ((message: string) => void) | undefined;
}

/** A connection ready for the token store, and whether closing it is the store's business. */
export interface SourceConnection {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  dialect: SqlDialect;
  /** True when the store opened it (a URL): only then does `close()` close it. */
  owned: boolean;
  /** PostgreSQL: the schema configured, if any. */
  schema: string | undefined;
}

function hasMethods(value: object, ...names: string[]): boolean {
  return names.every((name) => typeof (value as Record<string, unknown>)[name] === "function");
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function isKysely(value: object): value is Kysely<any> {
  // A second copy of kysely in node_modules has its own class: fall back on its shape.
  return value instanceof Kysely || hasMethods(value, "selectFrom", "getExecutor", "withoutPlugins");
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function detectKyselyDialect(db: Kysely<any>): SqlDialectName | undefined {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return "postgres";
  if (adapter instanceof SqliteAdapter) return "sqlite";
  const name = adapter.constructor.name;
  if (name === "PostgresAdapter") return "postgres";
  if (name === "SqliteAdapter") return "sqlite";
  return undefined;
}

function checkDialectOption(dialect: unknown): SqlDialectName | undefined {
  if (dialect === undefined || dialect === "sqlite" || dialect === "postgres") return dialect;
  throw new ConfigError("dialect", 'expected "sqlite" or "postgres"');
}

function resolveKyselyDialect(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  option: SqlDialectName | undefined,
): SqlDialectName {
  const detected = detectKyselyDialect(db);
  if (option !== undefined && detected !== undefined && option !== detected) {
    throw new ConfigError("dialect", `the Kysely instance is ${detected}, not ${option}`);
  }
  const dialect = option ?? detected;
  if (dialect === undefined) {
    throw new ConfigError("dialect", 'cannot tell which database this Kysely instance talks to: pass dialect: "sqlite" or "postgres"');
  }
  return dialect;
}

/**
 * On a PostgreSQL connection the app owns, the store must not change `search_path` (the app's
 * queries would follow it), so a `schema` is applied by qualifying every table instead.
 */
function onPostgresSchema(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  schema: string | undefined,
): SourceConnection {
  const checked = schema === undefined ? undefined : checkSchemaName(schema);
  return { db: checked === undefined ? db : db.withSchema(checked), dialect: createPostgresDialect(checked), owned: false, schema: checked };
}

async function openUrl(url: string, options: ConnectOptions): Promise<SourceConnection> {
  const location = parseDatabaseUrl(url, options.schema);
  if (location.kind === "sqlite") {
    // The dialect modules load their driver only when opening; this turns a missing one into advice.
    await importDriver("better-sqlite3");
    const { db, dialect } = await openSqliteDatabase({ filename: location.filename, busyTimeoutMs: options.busyTimeoutMs ?? 5000, onWarning: options.onWarning });
    return { db, dialect, owned: true, schema: undefined };
  }
  await importDriver("pg");
  const { db, dialect } = await openPostgresDatabase({
    connectionString: location.connectionString,
    schema: location.schema,
    poolSize: options.poolSize ?? 10,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 5000,
  });
  return { db, dialect, owned: true, schema: location.schema };
}

/**
 * Turns a {@link TokenStoreSource} into a Kysely connection and the dialect to use with it.
 * Connections the app passes are used as they are: their pragmas, pool settings and
 * `search_path` stay the app's, and `poolSize`, `connectionTimeoutMs` and `busyTimeoutMs` do
 * not apply to them.
 *
 * @example
 * const { db, dialect, owned } = await connectSource("sqlite::memory:", {});
 */
export async function connectSource(source: TokenStoreSource, options: ConnectOptions): Promise<SourceConnection> {
  const dialectOption = checkDialectOption(options.dialect);
  if (typeof source === "string") return openUrl(source, options);
  if (typeof source !== "object" || source === null) {
    throw new ConfigError("source", "expected a database URL, a better-sqlite3 Database, a pg Pool or a Kysely instance");
  }
  if (isKysely(source)) {
    // The app's plugins (CamelCasePlugin, say) would rewrite the store's columns and rows.
    const db = source.withoutPlugins();
    if (resolveKyselyDialect(source, dialectOption) === "sqlite") return { db, dialect: sqliteDialect, owned: false, schema: undefined };
    return onPostgresSchema(db, options.schema);
  }
  if (hasMethods(source, "prepare", "close")) {
    if (dialectOption === "postgres") throw new ConfigError("dialect", "a better-sqlite3 Database is sqlite");
    return { db: createSqliteKysely(source as SqliteDatabase), dialect: sqliteDialect, owned: false, schema: undefined };
  }
  if (hasMethods(source, "connect", "end")) {
    // A pg Client has connect() and end() too, but one connection cannot serve as a pool.
    if (typeof (source as { totalCount?: unknown }).totalCount !== "number") {
      throw new ConfigError("source", "pass a pg Pool, not a single Client");
    }
    if (dialectOption === "sqlite") throw new ConfigError("dialect", "a pg Pool is postgres");
    const db = new Kysely({ dialect: new RaceFreePostgresDialect({ pool: source as PostgresPool }) });
    return onPostgresSchema(db, options.schema);
  }
  throw new ConfigError("source", "expected a database URL, a better-sqlite3 Database, a pg Pool or a Kysely instance");
}

import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3Module from "better-sqlite3";
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
import { BackendUnavailableError } from "../../core/errors.js";
import { translateBackendError } from "./backend-errors.js";
import { readErrorCode, type SqlDialect, type SqlContext } from "./dialect.js";

export interface SqliteOpenOptions {
  /** A file path, or ":memory:". */
  filename: string;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
  /** Told when an existing database file was readable by others and has been tightened. */
  onWarning?: ((message: string) => void) | undefined;
}

// SQLITE_BUSY/LOCKED arrive only after busy_timeout has run out; CANTOPEN, IOERR and
// FULL mean the file itself cannot be used right now.
const UNAVAILABLE_PREFIXES = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL"];

/** SQLite's differences; exported for stores built on a connection opened elsewhere. */
export const sqliteDialect: SqlDialect = {
  name: "sqlite",
  identity: (column) => column.autoIncrement(),
  isUniqueViolation: (error) => {
    const code = readErrorCode(error);
    return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
  },
  isUnavailable: (error) => {
    const code = readErrorCode(error);
    return code !== undefined && UNAVAILABLE_PREFIXES.some((prefix) => code.startsWith(prefix));
  },
  resolveMigrationSchema: () => Promise.resolve(undefined),
};

type BetterSqlite3Constructor = typeof BetterSqlite3Module;

async function loadBetterSqlite3(): Promise<BetterSqlite3Constructor> {
  // A CommonJS module: imported from ESM, its export is `default`, which its
  // `export =` typings do not describe.
  const loaded = (await import("better-sqlite3")) as unknown as { default: BetterSqlite3Constructor };
  return loaded.default;
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdirSync(..., { recursive: true })` loops forever
 * when a parent refuses new entries with ENOENT (e.g. under /proc); this throws instead.
 */
function createDirectories(path: string): void {
  const parent = dirname(path);
  if (parent !== path && !existsSync(parent)) createDirectories(parent);
  try {
    // Only the directories made here: an existing parent (/tmp, a volume) is not ours to change.
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EEXIST") throw error;
  }
}

/**
 * The database holds private signing keys and the refresh-derivation secret: whoever reads the
 * file can mint tokens. A new file is created 0600 (SQLite gives its -wal and -shm files the
 * database file's mode); an existing one readable or writable by others is tightened to 0600,
 * with a warning, and so are its -wal and -shm files.
 */
function protectDatabaseFile(filename: string, onWarning: ((message: string) => void) | undefined): void {
  if (!existsSync(filename)) {
    closeSync(openSync(filename, "a", 0o600));
    return;
  }
  for (const path of [filename, `${filename}-wal`, `${filename}-shm`]) {
    if (!existsSync(path)) continue;
    const stats = statSync(path);
    // Only a regular file is a database: a directory named as one (`sqlite:/`) is not ours to
    // change, and opening it fails below as it should.
    if (!stats.isFile()) continue;
    const mode = stats.mode & 0o777;
    if ((mode & 0o077) === 0) continue;
    chmodSync(path, 0o600);
    onWarning?.(`${path} was readable by others (mode ${mode.toString(8)}); it holds signing keys, so it is now 0600`);
  }
}

/**
 * Opens a better-sqlite3 database (loaded only now) in WAL mode with foreign keys
 * enforced and a busy timeout, and wraps it in Kysely.
 */
export async function openSqliteDatabase(options: SqliteOpenOptions): Promise<SqlContext> {
  const BetterSqlite3 = await loadBetterSqlite3();
  const inMemory = options.filename === ":memory:";
  if (!inMemory) {
    try {
      createDirectories(dirname(options.filename));
    } catch (error) {
      // The file's directory cannot be made: the database cannot be used, like CANTOPEN.
      throw new BackendUnavailableError("database", { cause: error });
    }
  }
  if (!inMemory) {
    try {
      protectDatabaseFile(options.filename, options.onWarning);
    } catch (error) {
      throw new BackendUnavailableError("database", { cause: error });
    }
  }
  let database: BetterSqlite3Module.Database;
  try {
    database = new BetterSqlite3(options.filename, { timeout: options.busyTimeoutMs });
  } catch (error) {
    // Opening is the one SQLite call made outside the guarded stores.
    throw translateBackendError(error, sqliteDialect.isUnavailable);
  }
  try {
    // WAL lets readers run while one writer writes; it does not apply to :memory:.
    if (!inMemory) database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
  } catch (error) {
    database.close();
    throw translateBackendError(error, sqliteDialect.isUnavailable);
  }
  return { db: createSqliteKysely<Record<string, never>>(database), dialect: sqliteDialect };
}

/**
 * Kysely over an open better-sqlite3 database, with the statement cache below. `destroy()` on
 * the result closes the database, so a caller that does not own it must never call it.
 *
 * @example
 * const db = createSqliteKysely<TokenDatabase>(new Database("app.db"));
 */
export function createSqliteKysely<DB>(database: SqliteDatabase): Kysely<DB> {
  return new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/** Prepared statements kept per SQL text; Kysely's queries are a small fixed set. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew, and preparing costs more than running a
 * primary-key look-up. Statements are synchronous and never streamed here, so one prepared
 * statement per SQL text can be reused safely (SQLite re-prepares it after a schema change).
 */
function withStatementCache(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

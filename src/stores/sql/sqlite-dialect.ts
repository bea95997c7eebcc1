import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3Module from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { translateBackendError } from "./backend-errors.js";
import type { Database } from "./database.js";
import { readErrorCode, type SqlDialect, type SqlContext } from "./dialect.js";

export interface SqliteOpenOptions {
  /** A file path, or ":memory:". */
  filename: string;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

// SQLITE_BUSY/LOCKED arrive only after busy_timeout has run out; CANTOPEN, IOERR and
// FULL mean the file itself cannot be used right now.
const UNAVAILABLE_PREFIXES = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL"];

const sqliteDialect: SqlDialect = {
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
 * Opens a better-sqlite3 database (loaded only now) in WAL mode with foreign keys
 * enforced and a busy timeout, and wraps it in Kysely.
 */
export async function openSqliteDatabase(options: SqliteOpenOptions): Promise<SqlContext> {
  const BetterSqlite3 = await loadBetterSqlite3();
  const inMemory = options.filename === ":memory:";
  if (!inMemory) mkdirSync(dirname(options.filename), { recursive: true });
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: sqliteDialect };
}

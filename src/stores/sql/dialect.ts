import type { ColumnDefinitionBuilder, Kysely } from "kysely";

/**
 * Which database a store talks to.
 *
 * @example
 * if (store.dialect === "sqlite") console.log("single-node deployment");
 */
export type SqlDialectName = "sqlite" | "postgres";

/**
 * Everything that differs between SQLite and PostgreSQL, and nothing else: the
 * queries themselves are written once against Kysely.
 */
export interface SqlDialect {
  readonly name: SqlDialectName;
  /** Makes an integer primary key generate its own values (AUTOINCREMENT / IDENTITY). */
  identity(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** A UNIQUE or PRIMARY KEY constraint rejected the write. */
  isUniqueViolation(error: unknown): boolean;
  /** The database did not answer (refused, timed out, locked past busy_timeout...). */
  isUnavailable(error: unknown): boolean;
  /** The schema that holds Kysely's migration tables; undefined where schemas do not exist. */
  // Any Kysely over the database: it runs one catalog query, whatever tables the caller types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolveMigrationSchema(db: Kysely<any>): Promise<string | undefined>;
}

/** A connection a store opened itself from a URL, with its dialect; the store types the tables. */
export interface SqlContext {
  // The opener does not know the tables; the token store applies its own types and prefix.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  dialect: SqlDialect;
}

/** Reads the `code` property errors of both drivers carry. */
export function readErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

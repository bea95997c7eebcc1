import type { Kysely } from "kysely";
import type { SqlDialect } from "../../dialect.js";

/** What a token-store migration knows besides its connection. */
export interface TokenMigrationContext {
  dialect: SqlDialect;
  /** The table prefix: tables are named logically (the plugin adds it), indexes and constraints spell it. */
  prefix: string;
  /** PostgreSQL: the schema the tables live in (resolved, never undefined there). SQLite: undefined. */
  schema: string | undefined;
}

/**
 * One step of the token store's schema, recorded in `${prefix}migration`. Append-only: a
 * released step is never edited. Steps see `Kysely<any>` on purpose, not today's table types.
 */
export interface TokenMigration {
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, context: TokenMigrationContext): Promise<void>;
}

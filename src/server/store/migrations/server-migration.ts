import type { Kysely } from "kysely";
import type { SqlDialect } from "../../../stores/sql/dialect.js";

/** What a server-store migration knows besides its connection. */
export interface ServerMigrationContext {
  dialect: SqlDialect;
  /** PostgreSQL: the schema the tables live in (resolved). SQLite: undefined. */
  schema: string | undefined;
}

/**
 * One step of the reference server's own schema, recorded in Kysely's default
 * `kysely_migration` table, where Tessera 0.1.0 recorded its `0001_initial`. Append-only.
 */
export interface ServerMigration {
  readonly name: string;
  // Migrations see no table types on purpose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, context: ServerMigrationContext): Promise<void>;
}

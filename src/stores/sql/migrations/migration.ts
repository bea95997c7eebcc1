import type { Kysely } from "kysely";
import type { SqlDialect } from "../dialect.js";

/**
 * One schema step. Migrations are append-only: a released one is never edited, a
 * change is a new file with the next number. They see `Kysely<unknown>` on purpose:
 * a migration must not depend on today's table types.
 */
export interface SqlMigration {
  /** Sorts in the order the steps must run: "0001_initial", "0002_...". */
  readonly name: string;
  up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void>;
}

import type { Kysely } from "kysely";

/**
 * Runs a migration's body in one transaction on every database. On PostgreSQL, Kysely's
 * migrator already runs each migration in a transaction and hands it over; on SQLite it runs
 * none (its adapter reports no transactional DDL, though SQLite has it), so a step that creates
 * tables and copies rows would be left half done by a crash. This opens one there.
 *
 * @example
 * async up(db) { await inMigrationTransaction(db, async (trx) => { ... }); }
 */
// Migrations see no table types on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function inMigrationTransaction<T>(db: Kysely<any>, body: (trx: Kysely<any>) => Promise<T>): Promise<T> {
  return db.isTransaction ? body(db) : db.transaction().execute(body);
}

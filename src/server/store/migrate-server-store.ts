import { Migrator, type Migration, type MigrationProvider } from "kysely";
import { resolveMigrationSchema } from "../../stores/sql/migration-schema.js";
import { SERVER_MIGRATIONS } from "./migrations/index.js";
import type { ServerStoreContext } from "./server-store-context.js";

/**
 * Brings the server's users and posts tables up to date; returns the names applied. Recorded in
 * Kysely's default `kysely_migration`, like Tessera 0.1.0's, so a 0.1.0 database continues where
 * it stopped. Kysely's lock (an advisory lock on PostgreSQL) makes concurrent runs safe.
 */
export async function migrateServerStore({ db, dialect, schema: configured }: ServerStoreContext): Promise<string[]> {
  const schema = await resolveMigrationSchema(db, dialect.name, configured);
  const migrations: Record<string, Migration> = {};
  for (const migration of SERVER_MIGRATIONS) {
    migrations[migration.name] = { up: (trx) => migration.up(trx, { dialect, schema }) };
  }
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const migrator = new Migrator({
    db,
    provider,
    // Without a schema, Kysely would find another schema's migration table and skip creating ours.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}

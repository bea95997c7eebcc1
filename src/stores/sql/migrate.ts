import { Migrator, type Migration, type MigrationProvider } from "kysely";
import type { SqlContext } from "./dialect.js";
import { MIGRATIONS } from "./migrations/index.js";

function createProvider({ dialect }: SqlContext): MigrationProvider {
  const migrations: Record<string, Migration> = {};
  for (const migration of MIGRATIONS) {
    migrations[migration.name] = { up: (db) => migration.up(db, dialect) };
  }
  return { getMigrations: () => Promise.resolve(migrations) };
}

/**
 * Brings the schema up to date and returns the names of the migrations this call
 * applied. Kysely's Migrator holds a lock while it runs (an advisory lock on
 * PostgreSQL), so instances starting together apply each migration exactly once.
 */
export async function runMigrations(context: SqlContext): Promise<string[]> {
  const migrationTableSchema = await context.dialect.resolveMigrationSchema(context.db);
  const migrator = new Migrator({
    db: context.db,
    provider: createProvider(context),
    // Without a schema, Kysely would find another schema's migration table and skip
    // creating ours.
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}

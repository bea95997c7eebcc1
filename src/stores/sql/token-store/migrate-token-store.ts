import { Migrator, type Migration, type MigrationProvider } from "kysely";
import { resolveMigrationSchema } from "../migration-schema.js";
import { TOKEN_MIGRATIONS } from "./migrations/index.js";
import { withoutTablePrefix } from "./table-prefix-plugin.js";
import type { TokenStoreContext } from "./token-store-context.js";

/**
 * Brings the token tables up to date; returns the names of the migrations this call applied.
 * The steps are recorded in `${prefix}migration` (lock: `${prefix}migration_lock`), never in
 * Kysely's default `kysely_migration`, so an app's own Kysely migrations in the same database
 * and this store's never see each other. Kysely's Migrator holds a lock while it runs (an
 * advisory lock on PostgreSQL), so instances starting together apply each step exactly once.
 */
export async function migrateTokenStore({ db, dialect, prefix, schema: configured }: TokenStoreContext): Promise<string[]> {
  const schema = await resolveMigrationSchema(withoutTablePrefix(db), dialect.name, configured);
  const migrations: Record<string, Migration> = {};
  for (const migration of TOKEN_MIGRATIONS) {
    migrations[migration.name] = { up: (trx) => migration.up(trx, { dialect, prefix, schema }) };
  }
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: `${prefix}migration`,
    migrationLockTableName: `${prefix}migration_lock`,
    // Without a schema, Kysely would find another schema's migration table and skip creating ours.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return (results ?? []).filter((result) => result.status === "Success").map((result) => result.migrationName);
}

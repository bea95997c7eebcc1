import { serverInitialMigration } from "./0001_initial.js";
import { tokenTablesMovedMigration } from "./0002_token_tables_moved.js";
import type { ServerMigration } from "./server-migration.js";

/** Every server-store migration, oldest first. Append only. */
export const SERVER_MIGRATIONS: readonly ServerMigration[] = [serverInitialMigration, tokenTablesMovedMigration];

import { initialMigration } from "./0001_initial.js";
import type { SqlMigration } from "./migration.js";

/** Every migration, oldest first. Append only. */
export const MIGRATIONS: readonly SqlMigration[] = [initialMigration];

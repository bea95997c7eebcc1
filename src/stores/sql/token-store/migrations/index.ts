import { tokenTablesMigration } from "./0001_token_tables.js";
import { revocationOwnerMigration } from "./0002_revocation_owner.js";
import type { TokenMigration } from "./token-migration.js";

/** Every token-store migration, oldest first. Append only. */
export const TOKEN_MIGRATIONS: readonly TokenMigration[] = [tokenTablesMigration, revocationOwnerMigration];

import { tokenTablesMigration } from "./0001_token_tables.js";
import { clientsMigration } from "./0002_clients.js";
import { auditEventsMigration } from "./0003_audit_events.js";
import { revocationOwnerMigration } from "./0004_revocation_owner.js";
import { revocationsByTimeMigration } from "./0005_revocations_by_time.js";
import type { TokenMigration } from "./token-migration.js";

/** Every token-store migration, oldest first. Append only. */
export const TOKEN_MIGRATIONS: readonly TokenMigration[] = [tokenTablesMigration, clientsMigration, auditEventsMigration, revocationOwnerMigration, revocationsByTimeMigration];

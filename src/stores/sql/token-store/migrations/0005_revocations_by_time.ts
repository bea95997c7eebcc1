import { inMigrationTransaction } from "../../migration-transaction.js";
import type { TokenMigration } from "./token-migration.js";

/**
 * An index in `listRevocations` order (revoked_at, kind, value): every instance reads the
 * entries revoked since its last poll, and re-reads all live ones now and then, a page at a
 * time; without it each page sorted every live entry.
 */
export const revocationsByTimeMigration: TokenMigration = {
  name: "0005_revocations_by_time",
  async up(db, { prefix }) {
    await inMigrationTransaction(db, async (trx) => {
      await trx.schema.createIndex(`${prefix}revocations_revoked_at`).on("revocations").columns(["revoked_at", "kind", "value"]).execute();
    });
  },
};

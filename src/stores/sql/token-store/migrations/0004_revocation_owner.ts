import { inMigrationTransaction } from "../../migration-transaction.js";
import type { TokenMigration } from "./token-migration.js";

/**
 * `revocations.user_id`: whose token(s) a `jti`, `sid` or `token` entry covers, so that a user
 * who piles up entries can have them replaced by one user-wide cut-off (a bound on the memory
 * each instance spends per user). Null for older rows and `user` entries.
 */
export const revocationOwnerMigration: TokenMigration = {
  name: "0004_revocation_owner",
  async up(db) {
    await inMigrationTransaction(db, async (trx) => {
      await trx.schema.alterTable("revocations").addColumn("user_id", "text").execute();
    });
  },
};

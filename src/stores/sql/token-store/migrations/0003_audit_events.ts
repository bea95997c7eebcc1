import { inMigrationTransaction } from "../../migration-transaction.js";
import type { TokenMigration } from "./token-migration.js";

/**
 * The audit log: one row per authentication event (never a secret), and the head of its
 * optional hash chain (one row, locked by each append so instances extend one chain).
 */
export const auditEventsMigration: TokenMigration = {
  name: "0003_audit_events",
  async up(db, context) {
    const { dialect, prefix } = context;
    await inMigrationTransaction(db, async (trx) => {
      await trx.schema
        .createTable("audit_events")
        .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
        .addColumn("at", "bigint", (col) => col.notNull())
        .addColumn("type", "text", (col) => col.notNull())
        .addColumn("actor_type", "text", (col) => col.notNull())
        .addColumn("actor_id", "text")
        .addColumn("user_id", "text")
        .addColumn("client_id", "text")
        .addColumn("session_id", "bigint")
        .addColumn("subject", "text")
        .addColumn("reason", "text")
        .addColumn("ip", "text")
        .addColumn("user_agent", "text")
        .addColumn("request_id", "text")
        .addColumn("via", "text")
        .addColumn("count", "integer", (col) => col.notNull())
        .addColumn("prev_hash", "text")
        .addColumn("hash", "text")
        .execute();
      await trx.schema.createIndex(`${prefix}audit_events_at`).on("audit_events").column("at").execute();
      await trx.schema.createIndex(`${prefix}audit_events_user_id`).on("audit_events").columns(["user_id", "id"]).execute();
      await trx.schema.createIndex(`${prefix}audit_events_client_id`).on("audit_events").columns(["client_id", "id"]).execute();
      await trx.schema.createIndex(`${prefix}audit_events_subject`).on("audit_events").column("subject").execute();

      await trx.schema
        .createTable("audit_chain")
        .addColumn("id", "integer", (col) => col.primaryKey())
        .addColumn("head", "text")
        .execute();
      await trx.insertInto("audit_chain").values({ id: 1, head: null }).execute();
    });
  },
};

import { inMigrationTransaction } from "../../migration-transaction.js";
import type { TokenMigration } from "./token-migration.js";

/**
 * Machine clients (OAuth 2.0 client credentials) and their secrets, kept by hash. A client's id
 * is chosen by Tessera (random text); the owner is the app's user id as text, with no foreign key.
 */
export const clientsMigration: TokenMigration = {
  name: "0002_clients",
  async up(db, context) {
    const { dialect, prefix } = context;
    await inMigrationTransaction(db, async (trx) => {
      await trx.schema
        .createTable("clients")
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("name", "text", (col) => col.notNull())
        .addColumn("scope", "text", (col) => col.notNull())
        .addColumn("owner_id", "text")
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("last_used_at", "bigint")
        .addColumn("revoked_at", "bigint")
        .execute();
      await trx.schema.createIndex(`${prefix}clients_owner_id`).on("clients").column("owner_id").execute();

      await trx.schema
        .createTable("client_secrets")
        .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
        .addColumn("client_id", "text", (col) => col.notNull())
        .addColumn("secret_hash", "text", (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("last_used_at", "bigint")
        .addColumn("revoked_at", "bigint")
        .addUniqueConstraint(`${prefix}client_secrets_secret_hash_key`, ["secret_hash"])
        .execute();
      await trx.schema.createIndex(`${prefix}client_secrets_client_id`).on("client_secrets").column("client_id").execute();
    });
  },
};

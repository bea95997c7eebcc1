import { inMigrationTransaction } from "../../migration-transaction.js";
import { copyLegacyRows } from "../copy-legacy-rows.js";
import { hasLegacyLayout, TOKEN_TABLES_MIGRATION_NAME } from "../legacy-layout.js";
import { DEFAULT_TABLE_PREFIX } from "../table-prefix.js";
import type { TokenMigration } from "./token-migration.js";

/**
 * The token tables, and, in a database made by Tessera 0.1.0 with the default prefix, a copy of
 * its rows in the same transaction. Table names are logical (the prefix plugin makes them
 * physical); index and constraint names spell the prefix. No foreign key leaves the store's
 * own tables: the app owns its users.
 */
export const tokenTablesMigration: TokenMigration = {
  name: TOKEN_TABLES_MIGRATION_NAME,
  async up(db, context) {
    const { dialect, prefix } = context;
    await inMigrationTransaction(db, async (trx) => {
      await trx.schema
        .createTable("sessions")
        .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
        .addColumn("user_id", "text", (col) => col.notNull())
        .addColumn("scope", "text", (col) => col.notNull())
        .addColumn("user_agent", "text")
        .addColumn("ip", "text")
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("last_used_at", "bigint", (col) => col.notNull())
        .addColumn("revoked_at", "bigint")
        .execute();
      await trx.schema.createIndex(`${prefix}sessions_user_id`).on("sessions").column("user_id").execute();

      await trx.schema
        .createTable("refresh_tokens")
        .addColumn("token_hash", "text", (col) => col.primaryKey())
        .addColumn("session_id", "integer", (col) => col.notNull())
        .addColumn("user_id", "text", (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("expires_at", "bigint", (col) => col.notNull())
        .addColumn("spent_at", "bigint")
        .addForeignKeyConstraint(`${prefix}refresh_tokens_session_id_fkey`, ["session_id"], "sessions", ["id"], (fk) =>
          fk.onDelete("cascade"),
        )
        .execute();
      await trx.schema.createIndex(`${prefix}refresh_tokens_session_id`).on("refresh_tokens").column("session_id").execute();
      await trx.schema.createIndex(`${prefix}refresh_tokens_user_id`).on("refresh_tokens").column("user_id").execute();

      await trx.schema
        .createTable("tokens")
        .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
        .addColumn("kind", "text", (col) => col.notNull())
        .addColumn("user_id", "text", (col) => col.notNull())
        .addColumn("name", "text", (col) => col.notNull())
        .addColumn("scope", "text", (col) => col.notNull())
        .addColumn("token_hash", "text", (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("expires_at", "bigint")
        .addColumn("last_used_at", "bigint")
        .addColumn("revoked_at", "bigint")
        .addUniqueConstraint(`${prefix}tokens_token_hash_key`, ["token_hash"])
        .execute();
      await trx.schema.createIndex(`${prefix}tokens_user_id_kind`).on("tokens").columns(["user_id", "kind"]).execute();

      await trx.schema
        .createTable("signing_keys")
        .addColumn("kid", "text", (col) => col.primaryKey())
        .addColumn("alg", "text", (col) => col.notNull())
        .addColumn("private_jwk", "text", (col) => col.notNull())
        .addColumn("public_jwk", "text")
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("retired_at", "bigint")
        .addColumn("expires_at", "bigint")
        .execute();

      await trx.schema
        .createTable("revocations")
        .addColumn("kind", "text", (col) => col.notNull())
        .addColumn("value", "text", (col) => col.notNull())
        .addColumn("revoked_at", "bigint", (col) => col.notNull())
        .addColumn("expires_at", "bigint", (col) => col.notNull())
        .addPrimaryKeyConstraint(`${prefix}revocations_pkey`, ["kind", "value"])
        .execute();
      await trx.schema.createIndex(`${prefix}revocations_expires_at`).on("revocations").column("expires_at").execute();

      await trx.schema
        .createTable("secrets")
        .addColumn("name", "text", (col) => col.primaryKey())
        .addColumn("value", "text", (col) => col.notNull())
        .execute();

      // Only the default prefix inherits 0.1.0's rows: a store given its own prefix is a new
      // store beside whatever else the database holds.
      if (prefix === DEFAULT_TABLE_PREFIX && (await hasLegacyLayout(trx, dialect.name, context.schema))) {
        await copyLegacyRows(trx, context);
      }
    });
  },
};

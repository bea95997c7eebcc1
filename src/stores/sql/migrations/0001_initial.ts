import type { SqlMigration } from "./migration.js";

export const initialMigration: SqlMigration = {
  name: "0001_initial",
  async up(db, dialect) {
    await db.schema
      .createTable("users")
      .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
      .addColumn("username", "text", (col) => col.notNull())
      // Uniqueness is case-insensitive; a lower-cased copy with a UNIQUE constraint
      // enforces it the same way on every database.
      .addColumn("username_lower", "text", (col) => col.notNull().unique())
      .addColumn("email", "text")
      .addColumn("about_me", "text")
      .addColumn("password_hash", "text", (col) => col.notNull())
      .addColumn("is_admin", "integer", (col) => col.notNull().defaultTo(0))
      .addColumn("created_at", "bigint", (col) => col.notNull())
      .addColumn("last_seen_at", "bigint")
      .execute();

    await db.schema
      .createTable("sessions")
      .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
      .addColumn("user_id", "integer", (col) => col.notNull().references("users.id").onDelete("cascade"))
      .addColumn("scope", "text", (col) => col.notNull())
      .addColumn("user_agent", "text")
      .addColumn("ip", "text")
      .addColumn("created_at", "bigint", (col) => col.notNull())
      .addColumn("last_used_at", "bigint", (col) => col.notNull())
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();

    await db.schema
      .createTable("refresh_tokens")
      .addColumn("token_hash", "text", (col) => col.primaryKey())
      .addColumn("session_id", "integer", (col) => col.notNull().references("sessions.id").onDelete("cascade"))
      .addColumn("user_id", "integer", (col) => col.notNull().references("users.id").onDelete("cascade"))
      .addColumn("created_at", "bigint", (col) => col.notNull())
      .addColumn("expires_at", "bigint", (col) => col.notNull())
      .addColumn("spent_at", "bigint")
      .execute();
    await db.schema.createIndex("refresh_tokens_session_id").on("refresh_tokens").column("session_id").execute();
    await db.schema.createIndex("refresh_tokens_user_id").on("refresh_tokens").column("user_id").execute();

    await db.schema
      .createTable("personal_access_tokens")
      .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
      .addColumn("user_id", "integer", (col) => col.notNull().references("users.id").onDelete("cascade"))
      .addColumn("name", "text", (col) => col.notNull())
      .addColumn("scope", "text", (col) => col.notNull())
      .addColumn("token_hash", "text", (col) => col.notNull().unique())
      .addColumn("created_at", "bigint", (col) => col.notNull())
      .addColumn("expires_at", "bigint")
      .addColumn("last_used_at", "bigint")
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema
      .createIndex("personal_access_tokens_user_id")
      .on("personal_access_tokens")
      .column("user_id")
      .execute();

    await db.schema
      .createTable("signing_keys")
      .addColumn("kid", "text", (col) => col.primaryKey())
      .addColumn("alg", "text", (col) => col.notNull())
      .addColumn("private_jwk", "text", (col) => col.notNull())
      .addColumn("public_jwk", "text")
      .addColumn("created_at", "bigint", (col) => col.notNull())
      .addColumn("retired_at", "bigint")
      .addColumn("expires_at", "bigint")
      .execute();

    await db.schema
      .createTable("revocations")
      .addColumn("kind", "text", (col) => col.notNull())
      .addColumn("value", "text", (col) => col.notNull())
      .addColumn("revoked_at", "bigint", (col) => col.notNull())
      .addColumn("expires_at", "bigint", (col) => col.notNull())
      .addPrimaryKeyConstraint("revocations_pkey", ["kind", "value"])
      .execute();
    await db.schema.createIndex("revocations_expires_at").on("revocations").column("expires_at").execute();

    await db.schema
      .createTable("secrets")
      .addColumn("name", "text", (col) => col.primaryKey())
      .addColumn("value", "text", (col) => col.notNull())
      .execute();

    await db.schema
      .createTable("posts")
      .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
      .addColumn("user_id", "integer", (col) => col.notNull().references("users.id").onDelete("cascade"))
      .addColumn("title", "text", (col) => col.notNull())
      .addColumn("body", "text", (col) => col.notNull())
      .addColumn("created_at", "bigint", (col) => col.notNull())
      .addColumn("updated_at", "bigint", (col) => col.notNull())
      .execute();
    await db.schema.createIndex("posts_user_id").on("posts").column("user_id").execute();
    await db.schema.createIndex("posts_created_at").on("posts").column("created_at").execute();
  },
};

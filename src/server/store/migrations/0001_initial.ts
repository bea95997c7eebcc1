import type { ServerMigration } from "./server-migration.js";

/**
 * The server's users and posts, as Tessera 0.1.0 created them. It keeps 0.1.0's migration name
 * on purpose: a 0.1.0 database has it recorded already and skips it, keeping its tables and rows.
 */
export const serverInitialMigration: ServerMigration = {
  name: "0001_initial",
  async up(db, { dialect }) {
    await db.schema
      .createTable("users")
      .addColumn("id", "integer", (col) => dialect.identity(col.primaryKey()))
      .addColumn("username", "text", (col) => col.notNull())
      // Uniqueness is case-insensitive; a lower-cased copy with a UNIQUE constraint enforces it
      // the same way on every database.
      .addColumn("username_lower", "text", (col) => col.notNull().unique())
      .addColumn("email", "text")
      .addColumn("about_me", "text")
      .addColumn("password_hash", "text", (col) => col.notNull())
      .addColumn("is_admin", "integer", (col) => col.notNull().defaultTo(0))
      .addColumn("created_at", "bigint", (col) => col.notNull())
      .addColumn("last_seen_at", "bigint")
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

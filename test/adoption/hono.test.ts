import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { createTestSchemaName, dropTestSchema, requireTestPostgres } from "../support/postgres.js";
import { startHonoApp, type AppTables } from "./hono-app.js";
import { authCodeLines, runAdoptionScenario, type AdoptedApp } from "./scenario.js";

async function runOn(db: Kysely<AppTables>): Promise<void> {
  const app = await startHonoApp(db);
  try {
    const adopted: AdoptedApp = {
      url: app.url,
      addUser: async (id, username, hash) => void (await db.insertInto("users").values({ id, username, password_hash: hash }).execute()),
      passwordHashOf: async (id) => (await db.selectFrom("users").select("password_hash").where("id", "=", id).executeTakeFirstOrThrow()).password_hash,
    };
    await runAdoptionScenario(adopted);
  } finally {
    await app.close();
  }
}

void describe("a Hono app on Kysely with its own users adopts Tessera", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-adopt-hono-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it("works over real HTTP on SQLite", async () => {
    const db = new Kysely<AppTables>({ dialect: new SqliteDialect({ database: new Database(join(dir, "app.db")) }) });
    try {
      await runOn(db);
    } finally {
      await db.destroy();
    }
  });

  void it("works over real HTTP on PostgreSQL", async (t) => {
    const url = await requireTestPostgres();
    if (url === null) {
      t.skip("PostgreSQL is not reachable (set TESSERA_TEST_PG_URL)");
      return;
    }
    const schema = createTestSchemaName();
    // Every connection works in the test's own schema from its first statement.
    const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
    await pool.query(`create schema "${schema}"`);
    const db = new Kysely<AppTables>({ dialect: new PostgresDialect({ pool }) });
    try {
      await runOn(db);
    } finally {
      await db.destroy();
      await dropTestSchema(url, schema);
    }
  });

  void it("takes at most 25 lines of auth code", () => {
    assert.ok(authCodeLines(new URL("./hono-app.ts", import.meta.url)) <= 25);
  });
});

import * as assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import { createServerStore } from "../../../src/server/store/create-server-store.js";
import { openTokenStore } from "../../../src/stores/index.js";
import { createTestSchemaName, dropTestSchema, listSchemaTables, requireTestPostgres } from "../../support/postgres.js";
import { runServerStoreCases } from "./server-store-cases.js";

const pgUrl = await requireTestPostgres();

if (pgUrl !== null) {
  runServerStoreCases("postgres", async () => {
    const schema = createTestSchemaName();
    const tokens = await openTokenStore(pgUrl, { schema });
    const data = createServerStore(tokens.db, tokens.dialect);
    await tokens.migrate();
    await data.migrate();
    return {
      data,
      tokens,
      cleanup: async () => {
        await tokens.close();
        await dropTestSchema(pgUrl, schema);
      },
    };
  });

  runServerStoreCases("postgres, the app's pg Pool with a schema", async () => {
    const schema = createTestSchemaName();
    const pool = new pg.Pool({ connectionString: pgUrl, max: 4 });
    const tokens = await openTokenStore(pool, { schema });
    const data = createServerStore(tokens.db, tokens.dialect, { schema });
    await tokens.migrate();
    await data.migrate();
    return {
      data,
      tokens,
      cleanup: async () => {
        await tokens.close();
        await pool.end();
        await dropTestSchema(pgUrl, schema);
      },
    };
  });

  void describe("server store migrations on PostgreSQL", () => {
    void test("a fresh schema gets users and posts beside the token tables, in either order, idempotently", async () => {
      const schema = createTestSchemaName();
      const tokens = await openTokenStore(pgUrl, { schema });
      const data = createServerStore(tokens.db, tokens.dialect, { schema });
      try {
        const [first, second] = await Promise.all([data.migrate(), createServerStore(tokens.db, tokens.dialect, { schema }).migrate()]);
        assert.deepEqual([...first, ...second], ["0001_initial", "0002_token_tables_moved"], "concurrent runs apply each step once");
        assert.deepEqual(await tokens.migrate(), ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
        assert.deepEqual(await data.migrate(), []);
        const tables = await listSchemaTables(pgUrl, schema);
        for (const table of ["users", "posts", "kysely_migration", "tessera_sessions", "tessera_tokens"]) assert.ok(tables.includes(table), table);
      } finally {
        await tokens.close();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("without a schema option, a search_path naming no existing schema is an error, not a guess at public", async () => {
      const schema = createTestSchemaName();
      const tokens = await openTokenStore(pgUrl, { schema });
      const publicTables = () => listSchemaTables(pgUrl, "public");
      const before = await publicTables();
      try {
        await assert.rejects(createServerStore(tokens.db, tokens.dialect).migrate(), /search_path names no schema that exists/);
        assert.deepEqual(await publicTables(), before, "nothing was created in public");
        await tokens.migrate();
        assert.deepEqual(await createServerStore(tokens.db, tokens.dialect).migrate(), ["0001_initial", "0002_token_tables_moved"]);
        assert.ok((await listSchemaTables(pgUrl, schema)).includes("kysely_migration"), "found from search_path once it exists");
      } finally {
        await tokens.close();
        await dropTestSchema(pgUrl, schema);
      }
    });
  });
}

import * as assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { BackendUnavailableError } from "../../src/core/errors.js";
import { openSqlStore } from "../../src/stores/index.js";
import {
  createTestSchemaName,
  dropTestSchema,
  listSchemaTables,
  requireTestPostgres,
} from "../support/postgres.js";
import { runAuthStoreContract } from "./contract.js";

const pgUrl = await requireTestPostgres();

if (pgUrl !== null) {
  runAuthStoreContract("postgres", async () => {
    const schema = createTestSchemaName();
    const store = await openSqlStore(pgUrl, { schema, poolSize: 10 });
    await store.migrate();
    return {
      store: store.auth,
      cleanup: async () => {
        await store.close();
        await dropTestSchema(pgUrl, schema);
      },
    };
  });

  void describe("PostgreSQL specifics", () => {
    void test("two instances migrating one fresh schema at once apply each migration exactly once", async () => {
      const schema = createTestSchemaName();
      const first = await openSqlStore(pgUrl, { schema });
      const second = await openSqlStore(pgUrl, { schema });
      try {
        const [appliedByFirst, appliedBySecond] = await Promise.all([first.migrate(), second.migrate()]);
        assert.deepEqual([...appliedByFirst, ...appliedBySecond], ["0001_initial"]);
        const recorded = await sql<{ name: string }>`select name from ${sql.id(schema, "kysely_migration")}`.execute(
          first.db,
        );
        assert.deepEqual(
          recorded.rows.map((row) => row.name),
          ["0001_initial"],
        );
        assert.deepEqual(await second.migrate(), []);
        const tables = await listSchemaTables(pgUrl, schema);
        for (const table of ["users", "sessions", "refresh_tokens", "personal_access_tokens", "signing_keys", "revocations", "secrets", "posts"]) {
          assert.ok(tables.includes(table), `${table} is created in the test schema`);
        }
      } finally {
        await first.close();
        await second.close();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("?schema= in the URL isolates the store like the option does", async () => {
      const schema = createTestSchemaName();
      const url = new URL(pgUrl);
      url.searchParams.set("schema", schema);
      const store = await openSqlStore(url.toString());
      try {
        assert.equal(store.dialect, "postgres");
        await store.migrate();
        await store.auth.createUser({ username: "isolated", passwordHash: "x", now: 1 });
        assert.ok((await listSchemaTables(pgUrl, schema)).includes("users"));
        const other = createTestSchemaName();
        const neighbour = await openSqlStore(pgUrl, { schema: other });
        try {
          await neighbour.migrate();
          assert.equal(await neighbour.auth.getUserByUsername("isolated"), null);
        } finally {
          await neighbour.close();
          await dropTestSchema(pgUrl, other);
        }
      } finally {
        await store.close();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("epoch-millisecond BIGINTs and counts come back as numbers", async () => {
      const schema = createTestSchemaName();
      const store = await openSqlStore(pgUrl, { schema });
      try {
        await store.migrate();
        const user = await store.auth.createUser({ username: "clock", passwordHash: "x", now: 4_102_444_800_000 });
        assert.equal(user?.createdAt, 4_102_444_800_000);
        assert.equal((await store.auth.listUsers({ offset: 0, limit: 1 })).total, 1);
      } finally {
        await store.close();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("waiting past connectionTimeoutMs for a pooled connection is BackendUnavailableError", async () => {
      const schema = createTestSchemaName();
      const store = await openSqlStore(pgUrl, { schema, poolSize: 1, connectionTimeoutMs: 200 });
      try {
        await store.migrate();
        // Hold the only connection while another query asks for one.
        await store.db.transaction().execute(async () => {
          await assert.rejects(store.auth.getUserById(1), BackendUnavailableError);
        });
        await store.ping();
      } finally {
        await store.close();
        await dropTestSchema(pgUrl, schema);
      }
    });
  });
}

void describe("PostgreSQL outages", () => {
  void test("a server that refuses connections is BackendUnavailableError, never a raw driver error", async () => {
    // Port 1 on loopback: nothing listens there.
    const store = await openSqlStore("postgres://postgres@127.0.0.1:1/test", { connectionTimeoutMs: 1000 });
    try {
      await assert.rejects(store.ping(), BackendUnavailableError);
      await assert.rejects(store.auth.getUserById(1), BackendUnavailableError);
      await assert.rejects(store.posts.getPost(1), BackendUnavailableError);
      await assert.rejects(store.migrate(), BackendUnavailableError);
    } finally {
      await store.close();
    }
  });
});

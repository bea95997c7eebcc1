import * as assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
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

    void test("introspection lists the schema's tables with their columns, Kysely's own only on request", async () => {
      const schema = createTestSchemaName();
      const store = await openSqlStore(pgUrl, { schema });
      try {
        await store.migrate();
        const ours = (tables: { schema?: string | undefined; name: string }[]) => tables.filter((table) => table.schema === schema).map((table) => table.name);
        const tables = await store.db.introspection.getTables();
        assert.ok(ours(tables).includes("users"));
        assert.ok(!ours(tables).includes("kysely_migration"));
        assert.ok(ours(await store.db.introspection.getTables({ withInternalKyselyTables: true })).includes("kysely_migration"));
        const users = tables.find((table) => table.schema === schema && table.name === "users");
        const id = users?.columns.find((column) => column.name === "id");
        assert.equal(id?.isAutoIncrementing, true);
        assert.equal(id?.isNullable, false);
        assert.ok(users?.columns.some((column) => column.name === "username" && column.dataType === "text"));
        assert.ok((await store.db.introspection.getSchemas()).some((entry) => entry.name === schema));
      } finally {
        await store.close();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("migrating while other schemas are created and dropped in the same database succeeds", async () => {
      // Kysely's migrator lists every schema's tables before taking its lock; with Kysely's own
      // introspector, a schema dropped during that scan failed start-up with 3F000 "schema ...
      // does not exist" (seen in CI: test files drop their schemas while others start).
      let churning = true;
      const churner = async (): Promise<void> => {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        try {
          while (churning) {
            const other = createTestSchemaName();
            await client.query(`create schema "${other}"`);
            await client.query(`create table "${other}".t (a int primary key, b text)`);
            await client.query(`drop schema "${other}" cascade`);
          }
        } finally {
          await client.end();
        }
      };
      const churn = Promise.all([churner(), churner()]);
      const schemas: string[] = [];
      try {
        for (let i = 0; i < 8; i++) {
          const schema = createTestSchemaName();
          schemas.push(schema);
          const store = await openSqlStore(pgUrl, { schema });
          try {
            assert.deepEqual(await store.migrate(), ["0001_initial"]);
          } finally {
            await store.close();
          }
        }
      } finally {
        churning = false;
        await churn;
        for (const schema of schemas) await dropTestSchema(pgUrl, schema);
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

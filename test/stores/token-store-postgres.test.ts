import * as assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { BackendUnavailableError, ConfigError } from "../../src/core/errors.js";
import { openTokenStore, type SqlTokenStore, type TokenStoreOptions } from "../../src/stores/index.js";
import { createTestSchemaName, dropTestSchema, listSchemaTables, requireTestPostgres } from "../support/postgres.js";
import { runTokenStoreContract } from "./token-store-contract.js";

const pgUrl = await requireTestPostgres();

/** A store on its own fresh schema, and a cleanup that drops it. */
async function openInFreshSchema(url: string, options: TokenStoreOptions = {}): Promise<{ store: SqlTokenStore; schema: string; cleanup(): Promise<void> }> {
  const schema = createTestSchemaName();
  const store = await openTokenStore(url, { schema, ...options });
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await dropTestSchema(url, schema);
    },
  };
}

/** An app's own pool whose connections already use `schema` (the app set search_path itself). */
function createAppPool(url: string, schema: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 10, options: `-c search_path=${schema}` });
}

if (pgUrl !== null) {
  runTokenStoreContract("postgres", async () => {
    const { store, cleanup } = await openInFreshSchema(pgUrl, { poolSize: 10 });
    await store.migrate();
    return { store, cleanup };
  });

  runTokenStoreContract("postgres, the app's pg Pool with the schema option", async () => {
    const schema = createTestSchemaName();
    // The app's pool knows nothing of the schema: the store qualifies its tables instead.
    const pool = new pg.Pool({ connectionString: pgUrl, max: 10 });
    const store = await openTokenStore(pool, { schema });
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await pool.end();
        await dropTestSchema(pgUrl, schema);
      },
    };
  });

  runTokenStoreContract("postgres, the app's Kysely with a prefix", async () => {
    const schema = createTestSchemaName();
    const pool = createAppPool(pgUrl, schema);
    await pool.query(`create schema "${schema}"`);
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    const store = await openTokenStore(db, { prefix: "auth_" });
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.destroy();
        await dropTestSchema(pgUrl, schema);
      },
    };
  });

  void describe("PostgreSQL token store specifics", () => {
    void test("two instances migrating one fresh schema at once apply the migration exactly once", async () => {
      const schema = createTestSchemaName();
      const first = await openTokenStore(pgUrl, { schema });
      const second = await openTokenStore(pgUrl, { schema });
      try {
        const [byFirst, bySecond] = await Promise.all([first.migrate(), second.migrate()]);
        assert.deepEqual([...byFirst, ...bySecond], ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
        assert.deepEqual(await second.migrate(), []);
        assert.deepEqual(await listSchemaTables(pgUrl, schema), [
          "tessera_audit_chain",
          "tessera_audit_events",
          "tessera_client_secrets",
          "tessera_clients",
          "tessera_migration",
          "tessera_migration_lock",
          "tessera_refresh_tokens",
          "tessera_revocations",
          "tessera_secrets",
          "tessera_sessions",
          "tessera_signing_keys",
          "tessera_tokens",
        ]);
      } finally {
        await first.close();
        await second.close();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("every table, index, constraint and sequence carries the prefix; user_id is text; no key leaves the store", async () => {
      const { store, schema, cleanup } = await openInFreshSchema(pgUrl, { prefix: "auth_" });
      try {
        await store.migrate();
        const names = await sql<{ name: string; kind: string }>`
          select c.relname as name, c.relkind as kind from pg_catalog.pg_class c
          join pg_catalog.pg_namespace n on n.oid = c.relnamespace where n.nspname = ${schema}
          union all
          select con.conname, 'constraint' from pg_catalog.pg_constraint con
          join pg_catalog.pg_namespace n on n.oid = con.connamespace where n.nspname = ${schema}`.execute(store.db);
        assert.ok(names.rows.length > 20);
        for (const { name, kind } of names.rows) assert.match(name, /^auth_/, `${kind} ${name} carries the prefix`);
        const userIds = await sql<{ table_name: string; data_type: string }>`
          select table_name, data_type from information_schema.columns
          where table_schema = ${schema} and column_name = 'user_id' order by table_name`.execute(store.db);
        assert.deepEqual(userIds.rows, [
          { table_name: "auth_audit_events", data_type: "text" },
          { table_name: "auth_refresh_tokens", data_type: "text" },
          { table_name: "auth_revocations", data_type: "text" },
          { table_name: "auth_sessions", data_type: "text" },
          { table_name: "auth_tokens", data_type: "text" },
        ]);
        const foreignKeys = await sql<{ target: string }>`
          select confrelid::regclass::text as target from pg_catalog.pg_constraint con
          join pg_catalog.pg_namespace n on n.oid = con.connamespace where n.nspname = ${schema} and con.contype = 'f'`.execute(store.db);
        assert.deepEqual(
          foreignKeys.rows.map((row) => row.target.replace(/^.*\./, "")),
          ["auth_sessions"],
        );
      } finally {
        await cleanup();
      }
    });

    void test("two stores with different prefixes in one schema do not see each other's rows", async () => {
      const schema = createTestSchemaName();
      const first = await openTokenStore(pgUrl, { schema });
      const second = await openTokenStore(pgUrl, { schema, prefix: "other_" });
      try {
        await first.migrate();
        await second.migrate();
        const session = await first.createSession({ userId: "u1", scope: "", userAgent: null, ip: null, now: 1, refreshTokenHash: "h1", refreshExpiresAt: 10 });
        await first.createToken({ kind: "pat", userId: "u1", name: "n", scope: "", tokenHash: "t1", now: 1, expiresAt: null });
        await first.addRevocation({ kind: "jti", value: "j", revokedAt: 1, expiresAt: 10 });
        assert.equal(await second.getSession(session.id), null);
        assert.equal(await second.getRefreshToken("h1"), null);
        assert.equal(await second.findTokenByHash("t1"), null);
        assert.deepEqual(await second.listRevocations({ now: 0 }), []);
        assert.equal(await second.getOrCreateSecret("key", () => "second"), "second");
        assert.equal(await first.getOrCreateSecret("key", () => "first"), "first");
      } finally {
        await first.close();
        await second.close();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("close() leaves the app's pg Pool open", async () => {
      const schema = createTestSchemaName();
      const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
      try {
        const store = await openTokenStore(pool, { schema });
        await store.migrate();
        await store.createSession({ userId: "u1", scope: "", userAgent: null, ip: null, now: 1, refreshTokenHash: "h", refreshExpiresAt: 2 });
        await store.close();
        await store.close();
        const count = await pool.query<{ count: string }>(`select count(*) from "${schema}".tessera_sessions`);
        assert.equal(count.rows[0]?.count, "1");
        const path = await pool.query<{ search_path: string }>("show search_path");
        assert.doesNotMatch(path.rows[0]?.search_path ?? "", new RegExp(schema), "the store left the app's search_path alone");
      } finally {
        await pool.end();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("close() leaves the app's Kysely usable", async () => {
      const schema = createTestSchemaName();
      const pool = createAppPool(pgUrl, schema);
      await pool.query(`create schema "${schema}"`);
      const db = new Kysely<{ notes: { id: number } }>({ dialect: new PostgresDialect({ pool }) });
      try {
        const store = await openTokenStore(db);
        assert.equal(store.dialect, "postgres", "told from the Kysely instance's adapter");
        await store.migrate();
        await store.close();
        await db.schema.createTable("notes").addColumn("id", "integer").execute();
        await db.insertInto("notes").values({ id: 1 }).execute();
        assert.deepEqual(await db.selectFrom("notes").selectAll().execute(), [{ id: 1 }]);
        assert.ok((await listSchemaTables(pgUrl, schema)).includes("tessera_sessions"), "the store used the app's search_path");
      } finally {
        await db.destroy();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("a pg Client is refused: one connection is not a pool", async () => {
      const client = new pg.Client({ connectionString: pgUrl });
      await assert.rejects(openTokenStore(client as never), ConfigError);
    });

    void test("BIGINTs from an app pool with pg's default parsers still come back as numbers", async () => {
      const schema = createTestSchemaName();
      const pool = new pg.Pool({ connectionString: pgUrl, max: 2 });
      try {
        const store = await openTokenStore(pool, { schema });
        await store.migrate();
        const far = 4_102_444_800_000;
        const session = await store.createSession({ userId: "u", scope: "", userAgent: null, ip: null, now: far, refreshTokenHash: "h", refreshExpiresAt: far + 1 });
        assert.equal(session.createdAt, far);
        assert.equal((await store.getRefreshToken("h"))?.expiresAt, far + 1);
        await store.close();
      } finally {
        await pool.end();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("an app schema with its own users, sessions and tokens tables and Kysely migrations is left untouched", async () => {
      const schema = createTestSchemaName();
      const pool = createAppPool(pgUrl, schema);
      try {
        await pool.query(`
          create schema "${schema}";
          create table "${schema}".users (id uuid primary key, email text not null);
          create table "${schema}".sessions (sid text primary key, user_id uuid references "${schema}".users(id), data jsonb);
          create table "${schema}".tokens (token text primary key, user_id uuid);
          create table "${schema}".kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null);
          create table "${schema}".kysely_migration_lock (id varchar(255) primary key, is_locked integer not null default 0);
          insert into "${schema}".users values ('7f3d3c4e-0000-4000-8000-000000000001', 'a@example.test');
          insert into "${schema}".sessions values ('s-1', '7f3d3c4e-0000-4000-8000-000000000001', '{}');
          insert into "${schema}".tokens values ('tok', '7f3d3c4e-0000-4000-8000-000000000001');
          insert into "${schema}".kysely_migration values ('0001_initial', '2024-01-01T00:00:00.000Z');`);
        const dump = async () => {
          const tables = await pool.query(
            `select table_name, column_name, data_type from information_schema.columns
             where table_schema = $1 and table_name in ('users', 'sessions', 'tokens', 'kysely_migration') order by 1, 2`,
            [schema],
          );
          const rows = [];
          for (const table of ["users", "sessions", "tokens", "kysely_migration"]) rows.push((await pool.query(`select * from "${schema}".${table}`)).rows);
          return { tables: tables.rows, rows };
        };
        const before = await dump();
        const store = await openTokenStore(pool);
        assert.deepEqual(await store.migrate(), ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
        assert.deepEqual(await dump(), before);
        assert.deepEqual(await store.listSessions("7f3d3c4e-0000-4000-8000-000000000001"), []);
        await store.close();
      } finally {
        await pool.end();
        await dropTestSchema(pgUrl, schema);
      }
    });

    void test("waiting past connectionTimeoutMs for a pooled connection is BackendUnavailableError", async () => {
      const { store, cleanup } = await openInFreshSchema(pgUrl, { poolSize: 1, connectionTimeoutMs: 200 });
      try {
        await store.migrate();
        await store.db.transaction().execute(async () => {
          await assert.rejects(store.getSession(1), BackendUnavailableError);
        });
        await store.ping();
      } finally {
        await cleanup();
      }
    });
  });
}

void describe("PostgreSQL token store outages", () => {
  void test("a server that refuses connections is BackendUnavailableError, never a raw driver error", async () => {
    const store = await openTokenStore("postgres://postgres@127.0.0.1:1/test", { connectionTimeoutMs: 1000 });
    try {
      await assert.rejects(store.ping(), BackendUnavailableError);
      await assert.rejects(store.getSession(1), BackendUnavailableError);
      await assert.rejects(store.rotateRefreshToken({ oldHash: "a", newHash: "b", now: 1, newExpiresAt: 2 }), BackendUnavailableError);
      await assert.rejects(store.migrate(), BackendUnavailableError);
    } finally {
      await store.close();
    }
  });
});

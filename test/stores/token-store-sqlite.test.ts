import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { BackendUnavailableError, ConfigError } from "../../src/core/errors.js";
import { openTokenStore } from "../../src/stores/index.js";
import { runTokenStoreContract } from "./token-store-contract.js";

const tempRoot = mkdtempSync(join(tmpdir(), "tessera-token-sqlite-"));
after(() => rmSync(tempRoot, { recursive: true, force: true }));
let fileCounter = 0;

/** A fresh path in a directory that exists (the app's own `new Database()` does not create one). */
function nextDatabasePath(): string {
  fileCounter += 1;
  const dir = join(tempRoot, `run-${fileCounter}`);
  mkdirSync(dir);
  return join(dir, "tokens.db");
}

runTokenStoreContract("sqlite file", async () => {
  const store = await openTokenStore(`sqlite:${nextDatabasePath()}`);
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

runTokenStoreContract("sqlite :memory:", async () => {
  const store = await openTokenStore("sqlite::memory:");
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

runTokenStoreContract("sqlite, the app's better-sqlite3 Database", async () => {
  const database = new Database(nextDatabasePath());
  const store = await openTokenStore(database);
  await store.migrate();
  return {
    store,
    cleanup: async () => {
      await store.close();
      database.close();
    },
  };
});

runTokenStoreContract("sqlite, the app's Kysely", async () => {
  const database = new Database(nextDatabasePath());
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  const store = await openTokenStore(db, { prefix: "auth_" });
  await store.migrate();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await db.destroy();
    },
  };
});

function tableNames(database: Database.Database): string[] {
  return database
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[];
}

void describe("SQLite token store specifics", () => {
  void test("every table and index carries the prefix, and the migration tables are the store's own", async () => {
    const path = nextDatabasePath();
    const store = await openTokenStore(`sqlite:${path}`, { prefix: "auth_" });
    try {
      assert.equal(store.dialect, "sqlite");
      assert.deepEqual(await store.migrate(), ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
      assert.deepEqual(await store.migrate(), [], "a second run has nothing to do");
    } finally {
      await store.close();
    }
    const inspect = new Database(path, { readonly: true });
    try {
      assert.deepEqual(tableNames(inspect), [
        "auth_audit_chain",
          "auth_audit_events",
          "auth_client_secrets",
        "auth_clients",
        "auth_migration",
        "auth_migration_lock",
        "auth_refresh_tokens",
        "auth_revocations",
        "auth_secrets",
        "auth_sessions",
        "auth_signing_keys",
        "auth_tokens",
      ]);
      const indexes = inspect.prepare("select name from sqlite_master where type = 'index'").pluck().all() as string[];
      assert.ok(indexes.length >= 8);
      for (const index of indexes) assert.match(index, /^(sqlite_autoindex_)?auth_/, `${index} carries the prefix`);
      const columns = inspect.prepare("select name, type from pragma_table_info('auth_tokens')").all() as { name: string; type: string }[];
      assert.equal(columns.find((column) => column.name === "user_id")?.type.toLowerCase(), "text");
      const foreignKeys = inspect.prepare("select \"table\" from pragma_foreign_key_list('auth_refresh_tokens')").pluck().all();
      assert.deepEqual(foreignKeys, ["auth_sessions"], "the one foreign key stays within the store");
    } finally {
      inspect.close();
    }
  });

  void test("two stores with different prefixes in one database do not see each other's rows", async () => {
    const path = nextDatabasePath();
    const first = await openTokenStore(`sqlite:${path}`);
    const second = await openTokenStore(`sqlite:${path}`, { prefix: "other_" });
    try {
      await first.migrate();
      await second.migrate();
      const session = await first.createSession({
        userId: "u1",
        scope: "",
        userAgent: null,
        ip: null,
        now: 1,
        refreshTokenHash: "h1",
        refreshExpiresAt: 10,
      });
      await first.getOrCreateSecret("key", () => "first");
      await first.createToken({ kind: "pat", userId: "u1", name: "n", scope: "", tokenHash: "t1", now: 1, expiresAt: null });
      assert.equal(await second.getSession(session.id), null);
      assert.deepEqual(await second.listSessions("u1"), []);
      assert.equal(await second.getRefreshToken("h1"), null);
      assert.equal(await second.findTokenByHash("t1"), null);
      assert.equal(await second.getOrCreateSecret("key", () => "second"), "second");
      assert.equal(await first.getOrCreateSecret("key", () => "again"), "first");
    } finally {
      await first.close();
      await second.close();
    }
  });

  void test("a bad prefix is a ConfigError, before anything is opened", async () => {
    for (const prefix of ["", "Tessera_", "1abc", "a-b", "a b", "x;drop", "a".repeat(33)]) {
      await assert.rejects(openTokenStore(`sqlite:${join(tempRoot, "never", "opened.db")}`, { prefix }), ConfigError, prefix);
    }
    assert.equal(existsSync(join(tempRoot, "never")), false, "no directory was made");
    await openTokenStore("sqlite::memory:", { prefix: "a".repeat(32) }).then((store) => store.close());
  });

  void test("close() leaves the app's better-sqlite3 Database open", async () => {
    const database = new Database(nextDatabasePath());
    try {
      const store = await openTokenStore(database);
      await store.migrate();
      await store.createSession({ userId: "u1", scope: "", userAgent: null, ip: null, now: 1, refreshTokenHash: "h", refreshExpiresAt: 2 });
      await store.close();
      await store.close();
      assert.equal(database.open, true);
      assert.equal(database.prepare("select count(*) from tessera_sessions").pluck().get(), 1);
    } finally {
      database.close();
    }
  });

  void test("close() leaves the app's Kysely usable, and the app's plugins never reach the store's queries", async () => {
    const database = new Database(nextDatabasePath());
    interface AppTables {
      notes: { note_id: number; note_text: string };
    }
    const db = new Kysely<AppTables>({ dialect: new SqliteDialect({ database }) });
    try {
      await db.schema.createTable("notes").addColumn("note_id", "integer", (col) => col.primaryKey()).addColumn("note_text", "text").execute();
      const { CamelCasePlugin } = await import("kysely");
      const camel = db.withPlugin(new CamelCasePlugin());
      const store = await openTokenStore(camel);
      await store.migrate();
      const token = await store.createToken({ kind: "api", userId: "7", name: "n", scope: "s", tokenHash: "t", now: 5, expiresAt: null });
      assert.equal(token.userId, "7");
      assert.deepEqual(await store.findTokenByHash("t"), token);
      await store.close();
      await db.insertInto("notes").values({ note_id: 1, note_text: "still here" }).execute();
      assert.deepEqual(await db.selectFrom("notes").selectAll().execute(), [{ note_id: 1, note_text: "still here" }]);
    } finally {
      await db.destroy();
    }
  });

  void test("a Kysely whose dialect cannot be told needs dialect:, and a wrong one is refused", async () => {
    const database = new Database(":memory:");
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
    try {
      await assert.rejects(openTokenStore(db, { dialect: "postgres" }), ConfigError);
      const told = await openTokenStore(db, { dialect: "sqlite" });
      assert.equal(told.dialect, "sqlite");
      await told.migrate();
      await told.close();
    } finally {
      await db.destroy();
    }
  });

  void test("a source that is no connection is a ConfigError", async () => {
    await assert.rejects(openTokenStore({} as never), ConfigError);
    await assert.rejects(openTokenStore("mysql://localhost/db"), ConfigError);
    await assert.rejects(openTokenStore(new Database(":memory:"), { dialect: "mysql" as never }), ConfigError);
  });

  void test("an app database with its own users, sessions and tokens tables and Kysely migrations is left untouched", async () => {
    const path = nextDatabasePath();
    const app = new Database(path);
    try {
      app.exec(`
        create table users (id text primary key, email text not null);
        create table sessions (sid text primary key, user_id text references users(id), data text);
        create table tokens (token text primary key, user_id text);
        create table kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null);
        create table kysely_migration_lock (id varchar(255) primary key, is_locked integer not null default 0);
        insert into users values ('u-1', 'a@example.test');
        insert into sessions values ('s-1', 'u-1', '{}');
        insert into tokens values ('tok', 'u-1');
        insert into kysely_migration values ('0001_initial', '2024-01-01T00:00:00.000Z');
      `);
      const dump = () =>
        ["users", "sessions", "tokens", "kysely_migration"].map((table) => ({
          table,
          schema: app.prepare("select sql from sqlite_master where name = ?").pluck().get(table),
          rows: app.prepare(`select * from ${table}`).all(),
        }));
      const before = dump();
      const store = await openTokenStore(app);
      assert.deepEqual(await store.migrate(), ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
      assert.deepEqual(dump(), before);
      assert.deepEqual(await store.listSessions("u-1"), [], "no app row is mistaken for a 0.1.0 one");
      await store.createSession({ userId: "u-1", scope: "", userAgent: null, ip: null, now: 1, refreshTokenHash: "h", refreshExpiresAt: 2 });
      assert.deepEqual(dump(), before);
      await store.close();
    } finally {
      app.close();
    }
  });

  void test("a write blocked past busy_timeout throws BackendUnavailableError", async () => {
    const path = nextDatabasePath();
    const store = await openTokenStore(`sqlite:${path}`, { busyTimeoutMs: 50 });
    await store.migrate();
    const holder = new Database(path);
    holder.exec("begin immediate");
    try {
      await assert.rejects(
        store.getOrCreateSecret("blocked", () => "x"),
        (error: unknown) => error instanceof BackendUnavailableError && error.code === "backend_unavailable",
      );
    } finally {
      holder.exec("rollback");
      holder.close();
    }
    assert.equal(await store.getOrCreateSecret("blocked", () => "x"), "x", "works once the lock is gone");
    await store.close();
  });

  void test("a file that cannot be opened is BackendUnavailableError", async () => {
    await assert.rejects(openTokenStore("sqlite:/proc/tessera-no-such-dir/sub/x.db"), BackendUnavailableError);
  });
});

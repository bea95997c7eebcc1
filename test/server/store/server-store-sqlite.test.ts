import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { createServerStore } from "../../../src/server/store/create-server-store.js";
import { openTokenStore } from "../../../src/stores/index.js";
import { runServerStoreCases } from "./server-store-cases.js";
import { restoreLegacySqlite } from "../../support/legacy-fixture.js";

const tempRoot = mkdtempSync(join(tmpdir(), "tessera-server-store-"));
after(() => rmSync(tempRoot, { recursive: true, force: true }));
let fileCounter = 0;
const nextPath = (): string => join(tempRoot, `server-${(fileCounter += 1)}.db`);

function tableNames(path: string): string[] {
  const inspect = new Database(path, { readonly: true });
  try {
    return inspect.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
  } finally {
    inspect.close();
  }
}

runServerStoreCases("sqlite :memory:", async () => {
  const tokens = await openTokenStore("sqlite::memory:");
  const data = createServerStore(tokens.db, tokens.dialect);
  await tokens.migrate();
  await data.migrate();
  return { data, tokens, cleanup: () => tokens.close() };
});

void describe("server store migrations on SQLite", () => {
  void test("a fresh database gets users and posts beside the token tables, in either order, idempotently", async () => {
    for (const serverFirst of [false, true]) {
      const path = nextPath();
      const tokens = await openTokenStore(`sqlite:${path}`);
      const data = createServerStore(tokens.db, tokens.dialect);
      try {
        if (serverFirst) assert.deepEqual(await data.migrate(), ["0001_initial", "0002_token_tables_moved"]);
        assert.deepEqual(await tokens.migrate(), ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
        if (!serverFirst) assert.deepEqual(await data.migrate(), ["0001_initial", "0002_token_tables_moved"]);
        assert.deepEqual(await data.migrate(), []);
        assert.deepEqual(await tokens.migrate(), []);
      } finally {
        await tokens.close();
      }
      assert.deepEqual(tableNames(path), [
        "kysely_migration",
        "kysely_migration_lock",
        "posts",
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
        "users",
      ]);
    }
  });

  void test("on a 0.1.0 database it refuses to drop the old token tables before the token store copied them", async () => {
    const path = nextPath();
    restoreLegacySqlite(path);
    const tokens = await openTokenStore(`sqlite:${path}`);
    const data = createServerStore(tokens.db, tokens.dialect);
    try {
      await assert.rejects(data.migrate(), /token store has not copied them/);
      assert.ok(tableNames(path).includes("personal_access_tokens"), "nothing was dropped");
      assert.deepEqual(await tokens.migrate(), ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
      assert.deepEqual(await data.migrate(), ["0002_token_tables_moved"]);
      assert.equal(tableNames(path).includes("personal_access_tokens"), false);
    } finally {
      await tokens.close();
    }
  });

  void test("a sessions table that is not 0.1.0's is never dropped", async () => {
    const path = nextPath();
    const app = new Database(path);
    app.exec("create table sessions (sid text primary key, data text); insert into sessions values ('s', '{}');");
    app.close();
    const tokens = await openTokenStore(`sqlite:${path}`);
    const data = createServerStore(tokens.db, tokens.dialect);
    try {
      await tokens.migrate();
      await data.migrate();
    } finally {
      await tokens.close();
    }
    assert.ok(tableNames(path).includes("sessions"));
  });
});

import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { BackendUnavailableError } from "../../src/core/errors.js";
import { openSqlStore } from "../../src/stores/index.js";
import { runAuthStoreContract } from "./contract.js";

const tempRoot = mkdtempSync(join(tmpdir(), "tessera-sqlite-"));
after(() => rmSync(tempRoot, { recursive: true, force: true }));
let fileCounter = 0;

function nextDatabasePath(): string {
  fileCounter += 1;
  return join(tempRoot, `run-${fileCounter}`, "nested", "tessera.db");
}

runAuthStoreContract("sqlite file", async () => {
  const store = await openSqlStore(`sqlite:${nextDatabasePath()}`);
  await store.migrate();
  return { store: store.auth, cleanup: () => store.close() };
});

runAuthStoreContract("sqlite :memory:", async () => {
  const store = await openSqlStore("sqlite::memory:");
  await store.migrate();
  return { store: store.auth, cleanup: () => store.close() };
});

void describe("SQLite specifics", () => {
  void test("creates the parent directory, uses WAL and enforces foreign keys", async () => {
    const path = nextDatabasePath();
    const store = await openSqlStore(`sqlite:${path}`);
    try {
      assert.equal(store.dialect, "sqlite");
      assert.deepEqual(await store.migrate(), ["0001_initial"]);
      assert.deepEqual(await store.migrate(), [], "a second run has nothing to do");
      assert.ok(existsSync(path));
      const inspect = new Database(path, { readonly: true });
      try {
        assert.equal(inspect.pragma("journal_mode", { simple: true }), "wal");
      } finally {
        inspect.close();
      }
      await assert.rejects(
        store.db
          .insertInto("sessions")
          .values({ user_id: 12345, scope: "", user_agent: null, ip: null, created_at: 0, last_used_at: 0, revoked_at: null })
          .execute(),
        /FOREIGN KEY/,
      );
    } finally {
      await store.close();
    }
  });

  void test("close can be called twice, through the store or its AuthStore", async () => {
    const store = await openSqlStore("sqlite::memory:");
    await store.auth.close();
    await store.close();
  });

  void test("a write blocked past busy_timeout throws BackendUnavailableError", async () => {
    const path = nextDatabasePath();
    const store = await openSqlStore(`sqlite:${path}`, { busyTimeoutMs: 50 });
    await store.migrate();
    // Another process holding the write lock, played by a second connection.
    const holder = new Database(path);
    holder.exec("begin immediate");
    try {
      await assert.rejects(
        store.auth.createUser({ username: "blocked", passwordHash: "x", now: 1 }),
        (error: unknown) => error instanceof BackendUnavailableError && error.code === "backend_unavailable",
      );
    } finally {
      holder.exec("rollback");
      holder.close();
    }
    assert.ok(await store.auth.createUser({ username: "unblocked", passwordHash: "x", now: 1 }), "works once the lock is gone");
    await store.close();
  });

  void test("a file that cannot be opened is BackendUnavailableError", async () => {
    // A directory where the database file should be.
    const path = join(tempRoot, "is-a-directory");
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path, { recursive: true });
    await assert.rejects(openSqlStore(`sqlite:${path}`), BackendUnavailableError);
  });

  void test("a directory that cannot be made is BackendUnavailableError, not a hang", async () => {
    // Under /proc, mkdir answers ENOENT; Node's recursive mkdirSync retries that forever.
    await assert.rejects(openSqlStore("sqlite:/proc/tessera-no-such-dir/sub/x.db"), BackendUnavailableError);
  });
});

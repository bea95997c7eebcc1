// Security hardening, item 1: the SQLite database (and its -wal/-shm) was created 0644 in a 0755
// directory, though it holds the private signing keys and the refresh-derivation secret.
import * as assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createTessera } from "../../src/index.js";
import { openTokenStore } from "../../src/stores/index.js";

const modeOf = (path: string): number => statSync(path).mode & 0o777;

void describe("SQLite database files are secrets", () => {
  const root = mkdtempSync(join(tmpdir(), "tessera-perms-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  void it("creates the directory 0700 and the database, -wal and -shm 0600", async () => {
    const file = join(root, "data", "tessera.db");
    const store = await openTokenStore(`sqlite:${file}`);
    try {
      await store.migrate();
      const tessera = await createTessera({ store, issuer: "https://api.test", audience: "api", keyReloadIntervalMs: 0, revocationPollIntervalMs: 0 });
      await tessera.close();
      assert.equal(modeOf(join(root, "data")), 0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) assert.equal(modeOf(path), 0o600, path);
    } finally {
      await store.close();
    }
  });

  void it("tightens an existing database file readable by others, and says so", async () => {
    const file = join(root, "loose.db");
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const store = await openTokenStore(`sqlite:${file}`, { onWarning: (message) => warnings.push(message) });
    try {
      assert.equal(modeOf(file), 0o600);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? "", /0600/);
    } finally {
      await store.close();
    }
  });

  void it("never changes the mode of a directory named as the database (sqlite:/ must not lock the machine)", async () => {
    const dir = join(root, "a-directory");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    await assert.rejects(openTokenStore(`sqlite:${dir}`));
    assert.equal(modeOf(dir), 0o755);
  });
});

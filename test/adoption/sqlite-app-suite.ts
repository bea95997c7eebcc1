// The Express and Fastify adoption apps keep their users in a better-sqlite3 file beside Tessera's
// tables: one suite runs the shared scenario on either, and counts its auth code.
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type Database from "better-sqlite3";
import { authCodeLines, runAdoptionScenario } from "./scenario.js";

type StartApp = (file: string) => Promise<{ url: string; close(): Promise<void>; db: Database.Database }>;

export function runSqliteAdoptionSuite(framework: string, start: StartApp, appFile: URL): void {
  void describe(`an app on ${framework} with its own users adopts Tessera`, () => {
    const dir = mkdtempSync(join(tmpdir(), `tessera-adopt-${framework.toLowerCase()}-`));
    after(() => rmSync(dir, { recursive: true, force: true }));

    void it("logs in, refreshes, logs out, guards scopes and manages PATs over real HTTP, in one SQLite file", async () => {
      const app = await start(join(dir, "app.db"));
      try {
        await runAdoptionScenario({
          url: app.url,
          addUser: async (id, username, hash) => void app.db.prepare("insert into users values (?, ?, ?)").run(id, username, hash),
          passwordHashOf: async (id) => app.db.prepare<[string], { password_hash: string }>("select password_hash from users where id = ?").get(id)?.password_hash ?? "",
        });
        const tables = app.db.prepare<[], { name: string }>("select name from sqlite_master where type = 'table' order by name").all().map((row) => row.name);
        assert.ok(tables.includes("users") && tables.includes("tessera_sessions"), `Tessera's tables sit beside the app's: ${tables.join(", ")}`);
      } finally {
        await app.close();
      }
    });

    void it("takes at most 25 lines of auth code", () => {
      assert.ok(authCodeLines(appFile) <= 25);
    });
  });
}

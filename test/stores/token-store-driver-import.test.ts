import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, test } from "node:test";
import { ConfigError } from "../../src/core/errors.js";
import { explainDriverImportError } from "../../src/stores/sql/token-store/driver-import.js";

function moduleNotFound(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

void describe("explainDriverImportError", () => {
  void test("a missing pg package is one ConfigError that names the package and how to install it", () => {
    const error = moduleNotFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'pg' imported from /app/dist/stores/sql/token-store/driver-import.js");
    const explained = explainDriverImportError(error, "pg");
    assert.ok(explained instanceof ConfigError);
    assert.equal(explained.message, 'TESSERA_DATABASE_URL: install the "pg" package to use postgres:// URLs (npm install pg)');
  });

  void test("CommonJS's MODULE_NOT_FOUND and a missing better-sqlite3 are explained the same way", () => {
    const explained = explainDriverImportError(moduleNotFound("MODULE_NOT_FOUND", "Cannot find module 'better-sqlite3'"), "better-sqlite3");
    assert.ok(explained instanceof ConfigError);
    assert.match(explained.message, /install the "better-sqlite3" package to use sqlite: URLs \(npm install better-sqlite3\)/);
  });

  void test("a driver that is there but misses one of its own dependencies keeps its own error", () => {
    const error = moduleNotFound("ERR_MODULE_NOT_FOUND", "Cannot find package 'pg-pool' imported from /app/node_modules/pg/lib/index.js");
    assert.equal(explainDriverImportError(error, "pg"), error);
  });

  void test("any other failure passes through unchanged", () => {
    const native = moduleNotFound("ERR_DLOPEN_FAILED", "better_sqlite3.node: invalid ELF header");
    assert.equal(explainDriverImportError(native, "better-sqlite3"), native);
    assert.equal(explainDriverImportError("not an error", "pg"), "not an error");
    assert.equal(explainDriverImportError(null, "pg"), null);
  });
});

// A resolve hook that answers for "pg" the way Node does when the package is not installed.
const HIDE_PG = `
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (specifier === "pg") {
    const error = new Error("Cannot find package 'pg' imported from " + context.parentURL);
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}\`));
`;

void describe("openTokenStore without the pg package", () => {
  void test("a postgres:// URL throws the ConfigError; sqlite: URLs still work", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-no-pg-"));
    try {
      const hook = join(dir, "hide-pg.mjs");
      writeFileSync(hook, HIDE_PG);
      const stores = pathToFileURL(join(import.meta.dirname, "../../src/stores/index.ts")).href;
      const script = `
        const { openTokenStore } = await import(${JSON.stringify(stores)});
        const outcome = await openTokenStore("postgres://postgres@127.0.0.1:1/test").then(
          () => "opened",
          (error) => error.name + ": " + error.message,
        );
        const sqlite = await openTokenStore("sqlite::memory:");
        await sqlite.migrate();
        await sqlite.close();
        console.log(JSON.stringify(outcome));`;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "--import", pathToFileURL(hook).href, "--input-type=module", "-e", script],
        { timeout: 60_000 },
      );
      assert.equal(JSON.parse(stdout.trim()), 'ConfigError: TESSERA_DATABASE_URL: install the "pg" package to use postgres:// URLs (npm install pg)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

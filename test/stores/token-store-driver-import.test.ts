import * as assert from "node:assert/strict";
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

import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { isPackageNotFound, loadRedisStore, MissingPackageError } from "../../../src/stores/redis/load-redis-store.js";

function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from /app/dist/stores/redis/load-redis-store.js`), { code: "ERR_MODULE_NOT_FOUND" });
}

void describe("loadRedisStore", () => {
  void it("loads the Redis pieces when ioredis is installed", async () => {
    const store = await loadRedisStore("TESSERA_REDIS_URL");
    assert.equal(typeof store.openRedisConnection, "function");
    assert.equal(typeof store.RedisRevocationFeed, "function");
  });

  void it("names ioredis and what needs it when ioredis is not installed", async () => {
    const attempt = loadRedisStore("TESSERA_REDIS_URL", () => Promise.reject(notFound("ioredis")));
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof MissingPackageError);
      assert.equal(error.packageName, "ioredis");
      assert.equal(error.message, 'install the "ioredis" package to use TESSERA_REDIS_URL (npm install ioredis)');
      return true;
    });
  });

  void it("passes on any other failure unchanged, including a missing dependency of ioredis", async () => {
    const ofDependency = notFound("denque");
    await assert.rejects(loadRedisStore("TESSERA_REDIS_URL", () => Promise.reject(ofDependency)), (error) => error === ofDependency);
    const broken = new SyntaxError("Unexpected token");
    await assert.rejects(loadRedisStore("TESSERA_REDIS_URL", () => Promise.reject(broken)), (error) => error === broken);
  });

  void it("isPackageNotFound reads Node's ESM and CommonJS errors", () => {
    assert.equal(isPackageNotFound(notFound("ioredis"), "ioredis"), true);
    assert.equal(isPackageNotFound(Object.assign(new Error("Cannot find module 'ioredis'"), { code: "MODULE_NOT_FOUND" }), "ioredis"), true);
    assert.equal(isPackageNotFound(new Error("Cannot find package 'ioredis'"), "ioredis"), false);
    assert.equal(isPackageNotFound("ioredis", "ioredis"), false);
  });
});

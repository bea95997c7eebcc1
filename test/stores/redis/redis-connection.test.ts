import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BackendUnavailableError } from "../../../src/core/errors.js";
import { checkRedisKeyPrefix } from "../../../src/stores/redis/key-prefix.js";
import { closeRedisConnection, openRedisConnection, pingRedis, waitForRedisReady } from "../../../src/stores/redis/redis-connection.js";
import { findFreePort, requireTestRedis } from "../../support/redis.js";

describe("Redis key prefixes", () => {
  test("accepts the default and ordinary prefixes", () => {
    for (const prefix of ["tessera:", "prod:eu-1:", "app.v2_", "{tessera}:"]) assert.equal(checkRedisKeyPrefix(prefix), prefix);
  });
  test("refuses empty, overlong and pattern characters", () => {
    for (const prefix of ["", "x".repeat(65), "a*", "a?", "a[b]", "has space", "new\nline"]) assert.equal(checkRedisKeyPrefix(prefix), null);
  });
});

describe("Redis connections with nothing listening", () => {
  test("waitForRedisReady gives up after its timeout; pingRedis fails at once as backend_unavailable", async () => {
    const errors: Error[] = [];
    const client = openRedisConnection({ url: `redis://127.0.0.1:${await findFreePort()}`, onError: (error) => errors.push(error) });
    try {
      const started = Date.now();
      assert.equal(await waitForRedisReady(client, 300), false);
      assert.ok(Date.now() - started < 1_000);
      const pinged = Date.now();
      await assert.rejects(pingRedis(client), (error: unknown) => error instanceof BackendUnavailableError && error.backend === "redis");
      assert.ok(Date.now() - pinged < 50);
      assert.ok(errors.length > 0, "connection errors reach onError instead of the console");
      const refused = Date.now();
      await assert.rejects(client.get("k"));
      assert.ok(Date.now() - refused < 50, "commands fail at once instead of queueing");
    } finally {
      await closeRedisConnection(client);
    }
    // Closed while reconnecting, ioredis keeps the status but stops trying.
    const attempts = errors.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(errors.length, attempts, "no reconnection attempts after close");
  });
});

const redisUrl = await requireTestRedis();
if (redisUrl !== null) {
  const url = redisUrl;
  describe("Redis connections to the shared Redis", () => {
    test("ready, answers PING, closes cleanly (twice is fine)", async () => {
      const client = openRedisConnection({ url, connectionName: "tessera-test" });
      assert.equal(await waitForRedisReady(client, 2_000), true);
      await pingRedis(client);
      await closeRedisConnection(client);
      await closeRedisConnection(client);
      assert.equal(client.status, "end");
      await assert.rejects(pingRedis(client), BackendUnavailableError);
    });
  });
}

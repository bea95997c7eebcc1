// A Redis outage that no request notices (limits fall back to memory, revocations to the
// database poll) is still logged: once when it starts, once when it ends with its duration.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, test } from "node:test";
import { buildApp } from "../../src/server/app.js";
import { loadConfig } from "../../src/server/config.js";
import { createScaleOutExtensions } from "../../src/server/scale-out.js";
import { createTestKeyPrefix, requirePrivateRedis, waitUntil } from "../support/redis.js";

const startRedis = await requirePrivateRedis();
if (startRedis !== null) {
  const redis = await startRedis();
  after(() => redis.stop());

  test("a Redis outage is logged once when it starts and once when it ends", async () => {
    const lines: Record<string, unknown>[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const env = { TESSERA_DATABASE_URL: "sqlite::memory:", TESSERA_REDIS_URL: redis.url, TESSERA_REDIS_KEY_PREFIX: createTestKeyPrefix(), TESSERA_LOG_LEVEL: "info" };
    const config = loadConfig(env);
    const app = await buildApp(config, { ...(await createScaleOutExtensions(config, env)), logStream });
    try {
      const transitions = () => lines.filter((line) => line["backend"] === "redis").map((line) => line["event"]);
      await redis.kill();
      await waitUntil("the outage to be logged", () => transitions().includes("backend_down"), 10_000, 50);
      // Requests go on meanwhile, and add no line of their own.
      for (let i = 0; i < 5; i++) assert.equal((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
      await redis.start();
      await waitUntil("the recovery to be logged", () => transitions().includes("backend_up"), 15_000, 50);
      assert.deepEqual(transitions(), ["backend_down", "backend_up"]);
      const up = lines.find((line) => line["backend"] === "redis" && line["event"] === "backend_up");
      assert.equal(typeof up?.["downtime_ms"], "number");
    } finally {
      await app.close();
    }
  });
}

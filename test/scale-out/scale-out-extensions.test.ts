// The wiring of src/server/scale-out.ts, in process: two apps over one database file whose only
// revocation path is Redis pub/sub (the database poll turned off), the Redis readiness check,
// and the configuration it reads.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { ConfigError } from "../../src/core/errors.js";
import { buildApp } from "../../src/server/app.js";
import { loadConfig } from "../../src/server/config.js";
import { createScaleOutExtensions, readRedisKeyPrefix } from "../../src/server/scale-out.js";
import { createTestKeyPrefix, deleteKeysByPrefix, findFreePort, listKeysByPrefix, requireTestRedis, waitUntil } from "../support/redis.js";

const PASSWORD = "correct horse battery staple";
const basic = (username: string) => `Basic ${Buffer.from(`${username}:${PASSWORD}`).toString("base64")}`;

describe("readRedisKeyPrefix", () => {
  test("defaults to tessera:", () => {
    assert.equal(readRedisKeyPrefix({}), "tessera:");
    assert.equal(readRedisKeyPrefix({ TESSERA_REDIS_KEY_PREFIX: "" }), "tessera:");
  });
  test("takes a valid prefix", () => {
    assert.equal(readRedisKeyPrefix({ TESSERA_REDIS_KEY_PREFIX: "staging:eu:" }), "staging:eu:");
  });
  test("refuses a prefix that would be a SCAN pattern, naming the variable", () => {
    assert.throws(
      () => readRedisKeyPrefix({ TESSERA_REDIS_KEY_PREFIX: "tessera*" }),
      (error: unknown) => error instanceof ConfigError && error.message.includes("TESSERA_REDIS_KEY_PREFIX"),
    );
  });
});

describe("createScaleOutExtensions without Redis", () => {
  test("refuses a configuration without TESSERA_REDIS_URL", async () => {
    await assert.rejects(createScaleOutExtensions(loadConfig({ TESSERA_DATABASE_URL: "sqlite::memory:" }), {}), ConfigError);
  });

  test("with Redis down, start-up waits a bounded time and readiness reports Redis down", async () => {
    const config = loadConfig({ TESSERA_DATABASE_URL: "sqlite::memory:", TESSERA_REDIS_URL: `redis://127.0.0.1:${await findFreePort()}` });
    const started = Date.now();
    const extensions = await createScaleOutExtensions(config, {});
    try {
      assert.ok(Date.now() - started < 4_000, `took ${Date.now() - started} ms`);
      assert.equal(extensions.revocationFeed?.isHealthy(), false);
      const check = extensions.readiness?.find((entry) => entry.name === "redis");
      assert.ok(check);
      await assert.rejects(check.check());
    } finally {
      await extensions.onClose?.();
    }
  });
});

const redisUrl = await requireTestRedis();
if (redisUrl !== null) {
  const url = redisUrl;
  const keyPrefix = createTestKeyPrefix();
  const directory = mkdtempSync(join(tmpdir(), "tessera-scale-out-"));
  const apps: FastifyInstance[] = [];
  after(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await deleteKeysByPrefix(url, keyPrefix);
    rmSync(directory, { recursive: true, force: true });
  });

  describe("createScaleOutExtensions with the shared Redis", () => {
    const env = {
      TESSERA_DATABASE_URL: `sqlite:${join(directory, "shared.db")}`,
      TESSERA_REDIS_URL: url,
      TESSERA_REDIS_KEY_PREFIX: keyPrefix,
      TESSERA_LOG_LEVEL: "silent",
      TESSERA_ISSUER: "http://tessera.test",
    };
    const makeApp = async (): Promise<FastifyInstance> => {
      const config = loadConfig(env);
      const extensions = await createScaleOutExtensions(config, env);
      // Only pub/sub may carry revocations here, to prove it does.
      const app = await buildApp(config, { ...extensions, revocationPollIntervalMs: 0, logger: false });
      apps.push(app);
      return app;
    };

    test("readiness lists Redis next to the database", async () => {
      const app = await makeApp();
      const response = await app.inject({ method: "GET", url: "/readyz" });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { status: "ready", checks: { database: "ok", redis: "ok" }, failing: [] });
    });

    test("a revocation on one app reaches the other over Redis alone, within 1 s", async () => {
      const [a, b] = [apps[0] ?? (await makeApp()), await makeApp()];
      const created = await a.inject({ method: "POST", url: "/api/users", payload: { username: "ada", password: PASSWORD } });
      assert.equal(created.statusCode, 201, created.body);
      const login = await a.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("ada") } });
      const token = login.json<{ access_token: string }>().access_token;
      const me = () => b.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me()).statusCode, 200);

      const revoked = await a.inject({ method: "DELETE", url: "/api/tokens", headers: { authorization: `Bearer ${token}` } });
      assert.equal(revoked.statusCode, 204);
      const elapsed = await waitUntil("the other app to reject the token", async () => (await me()).statusCode === 401, 1_000, 5);
      assert.ok(elapsed < 1_000);
      assert.equal((await me()).json<{ code: string }>().code, "token_revoked");
    });

    test("the apps' rate-limit counters are in Redis under the key prefix", async () => {
      const keys = await listKeysByPrefix(url, keyPrefix);
      assert.ok(keys.some((key) => key.startsWith(`${keyPrefix}rl:`)), keys.join(", "));
    });

    test("closing an app closes its Redis connections", async () => {
      const config = loadConfig(env);
      const extensions = await createScaleOutExtensions(config, env);
      const app = await buildApp(config, { ...extensions, logger: false });
      const redisCheck = extensions.readiness?.find((entry) => entry.name === "redis");
      assert.ok(redisCheck);
      await redisCheck.check();
      assert.equal(extensions.revocationFeed?.isHealthy(), true);
      await app.close();
      assert.equal(extensions.revocationFeed.isHealthy(), false);
      await assert.rejects(redisCheck.check(), "the commands connection is closed");
    });
  });
}

// Two instances of an app that adopted the library, sharing one token store and one Redis through
// `tessera-auth/redis` (imported by package name, as an installed app would): a token revoked on
// one is refused on the other through the feed alone (the database poll is off), and a login
// limit counted on one holds on the other.
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createTessera, type Tessera } from "tessera-auth";
import { closeRedisConnection, createRedisLimiterFactory, openRedisConnection, RedisRevocationFeed, waitForRedisReady } from "tessera-auth/redis";
import { openTokenStore } from "tessera-auth/stores";
import { createTestKeyPrefix, deleteKeysByPrefix, requireTestRedis, waitUntil } from "../support/redis.js";

const redisUrl = await requireTestRedis();
if (redisUrl !== null) {
  const url = redisUrl;
  const keyPrefix = createTestKeyPrefix();
  const directory = mkdtempSync(join(tmpdir(), "tessera-redis-instances-"));
  const closers: (() => Promise<unknown>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
    await deleteKeysByPrefix(url, keyPrefix);
    rmSync(directory, { recursive: true, force: true });
  });

  async function startInstance(): Promise<Tessera> {
    const store = await openTokenStore(`sqlite:${join(directory, "app.db")}`);
    await store.migrate();
    const redis = openRedisConnection({ url });
    const tessera = await createTessera({
      store,
      issuer: "https://app.test",
      audience: "app",
      revocationFeed: new RedisRevocationFeed({ url, keyPrefix, publisher: redis }),
      revocationPollIntervalMs: 0,
    });
    closers.push(() => store.close(), () => closeRedisConnection(redis), () => tessera.close());
    return tessera;
  }

  void describe("tessera-auth/redis: several instances of one app", () => {
    void it("a token revoked on one instance is refused on the other through the feed", async () => {
      const a = await startInstance();
      const b = await startInstance();
      const pair = await a.startSession("user-1", { scope: "" });
      assert.equal((await b.verify(pair.accessToken)).ok, true);
      const principal = await b.verify(pair.accessToken);
      assert.ok(principal.ok);
      await a.logout(principal.principal);
      await waitUntil("the other instance to refuse the token", async () => !(await b.verify(pair.accessToken)).ok, 2_000);
      const refused = await b.verify(pair.accessToken);
      assert.deepEqual(refused.ok ? "ok" : refused.code, "token_revoked");
    });

    void it("a limit counted through one instance's connection holds on the other's", async () => {
      const connections = [openRedisConnection({ url }), openRedisConnection({ url })];
      for (const redis of connections) closers.push(() => closeRedisConnection(redis));
      for (const redis of connections) assert.equal(await waitForRedisReady(redis, 2_000), true);
      const [first, second] = connections.map((client) => createRedisLimiterFactory({ client, keyPrefix })("login-ip", { points: 2, durationSeconds: 60 }));
      await first!.consume("203.0.113.9");
      await second!.consume("203.0.113.9");
      await assert.rejects(first!.consume("203.0.113.9"), (rejection: { remainingPoints?: number }) => rejection.remainingPoints === 0);
    });
  });
}

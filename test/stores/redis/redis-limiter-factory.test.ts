import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type { Redis } from "ioredis";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { closeRedisConnection, openRedisConnection, waitForRedisReady } from "../../../src/stores/redis/redis-connection.js";
import { createRedisLimiterFactory } from "../../../src/stores/redis/redis-limiter-factory.js";
import {
  createTestKeyPrefix,
  deleteKeysByPrefix,
  listKeysByPrefix,
  requirePrivateRedis,
  requireTestRedis,
  waitUntil,
  type PrivateRedis,
} from "../../support/redis.js";

/** Consumes one point: true when allowed, false when limited. Any other failure throws. */
async function hit(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
  try {
    await limiter.consume(key, 1);
    return true;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return false;
    throw rejection;
  }
}

const rule = { points: 3, durationSeconds: 60 };

const redisUrl = await requireTestRedis();
if (redisUrl !== null) {
  const url = redisUrl;
  const prefix = createTestKeyPrefix();
  const clients: Redis[] = [];
  const connect = async (): Promise<Redis> => {
    const client = openRedisConnection({ url });
    clients.push(client);
    assert.equal(await waitForRedisReady(client, 2_000), true);
    return client;
  };
  after(async () => {
    await Promise.all(clients.map((client) => closeRedisConnection(client)));
    await deleteKeysByPrefix(url, prefix);
  });

  describe("Redis rate limiters over the shared Redis", () => {
    test("two instances count against one budget", async () => {
      const a = createRedisLimiterFactory({ client: await connect(), keyPrefix: prefix })("login-ip", rule);
      const b = createRedisLimiterFactory({ client: await connect(), keyPrefix: prefix })("login-ip", rule);
      assert.equal(await hit(a, "203.0.113.7"), true);
      assert.equal(await hit(b, "203.0.113.7"), true);
      assert.equal(await hit(a, "203.0.113.7"), true);
      assert.equal(await hit(b, "203.0.113.7"), false, "the fourth hit, on the other instance, is over the limit");
      assert.equal(await hit(a, "198.51.100.1"), true, "another key has its own budget");
    });

    test("counters live under <prefix>rl:<name>: and expire with the window", async () => {
      const client = await connect();
      const limiter = createRedisLimiterFactory({ client, keyPrefix: prefix })("request-token", rule);
      await hit(limiter, "jti-1");
      const keys = await listKeysByPrefix(url, `${prefix}rl:request-token:`);
      assert.deepEqual(keys, [`${prefix}rl:request-token:jti-1`]);
      const ttl = await client.pttl(keys[0] ?? "");
      assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
    });

    test("limits with different names do not share counters", async () => {
      const factory = createRedisLimiterFactory({ client: await connect(), keyPrefix: prefix });
      const login = factory("login-account", { points: 1, durationSeconds: 60 });
      const requests = factory("request-token", { points: 1, durationSeconds: 60 });
      assert.equal(await hit(login, "ada"), true);
      assert.equal(await hit(requests, "ada"), true);
      assert.equal(await hit(login, "ada"), false);
    });

    test("get and delete work through Redis", async () => {
      const limiter = createRedisLimiterFactory({ client: await connect(), keyPrefix: prefix })("reset-me", rule);
      await hit(limiter, "k");
      assert.equal((await limiter.get("k"))?.consumedPoints, 1);
      await limiter.delete("k");
      assert.equal(await limiter.get("k"), null);
    });
  });
}

const startRedis = await requirePrivateRedis();
if (startRedis !== null) {
  describe("Redis rate limiters through a Redis outage (private redis-server)", () => {
    const servers: PrivateRedis[] = [];
    const clients: Redis[] = [];
    after(async () => {
      await Promise.all(clients.map((client) => closeRedisConnection(client)));
      await Promise.all(servers.map((server) => server.stop()));
    });

    const setUp = async () => {
      const server = await startRedis();
      servers.push(server);
      const keyPrefix = createTestKeyPrefix();
      const make = async () => {
        const client = openRedisConnection({ url: server.url, commandTimeoutMs: 500 });
        clients.push(client);
        assert.equal(await waitForRedisReady(client, 2_000), true);
        return { client, limiter: createRedisLimiterFactory({ client, keyPrefix })("login-ip", rule) };
      };
      return { server, a: await make(), b: await make() };
    };

    test("Redis killed: each instance counts alone, without waiting; Redis back: shared again", async () => {
      const { server, a, b } = await setUp();
      await server.kill();
      await waitUntil("the clients to notice", () => a.client.status !== "ready" && b.client.status !== "ready", 2_000);

      const started = Date.now();
      // Per instance now: three allowed on each, the fourth refused on each.
      for (let i = 0; i < 3; i++) assert.equal(await hit(a.limiter, "ip"), true);
      assert.equal(await hit(a.limiter, "ip"), false);
      for (let i = 0; i < 3; i++) assert.equal(await hit(b.limiter, "ip"), true);
      assert.equal(await hit(b.limiter, "ip"), false);
      assert.ok(Date.now() - started < 200, `eight hits during the outage took ${Date.now() - started} ms`);

      await server.start();
      await waitUntil("the clients to reconnect", () => a.client.status === "ready" && b.client.status === "ready", 5_000);
      // The restarted Redis is empty: a fresh shared budget of three across both instances.
      assert.equal(await hit(a.limiter, "ip2"), true);
      assert.equal(await hit(b.limiter, "ip2"), true);
      assert.equal(await hit(a.limiter, "ip2"), true);
      assert.equal(await hit(b.limiter, "ip2"), false);
      // Counted in Redis: the refused fourth hit is counted too.
      assert.equal(await a.client.get(`${a.limiter.keyPrefix}:ip2`), "4");
    });

    test("Redis frozen: a hit waits at most about the command timeout, then the insurance limiter answers", async () => {
      const { server, a } = await setUp();
      server.pause();
      try {
        const started = Date.now();
        assert.equal(await hit(a.limiter, "frozen"), true);
        const first = Date.now() - started;
        assert.ok(first < 1_500, `first hit took ${first} ms`);
        // The timed-out socket was dropped, so later hits skip Redis at once.
        const next = Date.now();
        assert.equal(await hit(a.limiter, "frozen"), true);
        assert.ok(Date.now() - next < 100, `second hit took ${Date.now() - next} ms`);
      } finally {
        server.resume();
      }
      await waitUntil("the client to reconnect", () => a.client.status === "ready", 5_000);
    });
  });
}

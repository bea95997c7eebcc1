import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Redis } from "ioredis";
import { BackendUnavailableError } from "../../../src/core/errors.js";
import type { RevocationRecord } from "../../../src/core/token-store.js";
import { RedisRevocationFeed } from "../../../src/stores/redis/revocation-feed.js";
import {
  createTestKeyPrefix,
  deleteKeysByPrefix,
  findFreePort,
  requirePrivateRedis,
  requireTestRedis,
  waitUntil,
  type PrivateRedis,
} from "../../support/redis.js";

function makeRecord(value: string): RevocationRecord {
  const now = Date.now();
  return { kind: "jti", value, revokedAt: now, expiresAt: now + 960_000 };
}

/** Subscribes a feed and collects what it receives. */
async function listen(feed: RedisRevocationFeed): Promise<RevocationRecord[]> {
  const received: RevocationRecord[] = [];
  await feed.subscribe((record) => received.push(record));
  return received;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const redisUrl = await requireTestRedis();
if (redisUrl !== null) {
  const url = redisUrl;
  const prefix = createTestKeyPrefix();
  const feeds: RedisRevocationFeed[] = [];
  const openFeed = (keyPrefix = prefix): RedisRevocationFeed => {
    const feed = new RedisRevocationFeed({ url, keyPrefix });
    feeds.push(feed);
    return feed;
  };
  after(async () => {
    await Promise.all(feeds.map((feed) => feed.close()));
    await deleteKeysByPrefix(url, prefix);
  });

  describe("RedisRevocationFeed over the shared Redis", () => {
    test("the channel carries the key prefix", () => {
      assert.equal(openFeed().channel, `${prefix}revocations`);
    });

    test("a record published by one instance reaches every instance, itself included, well within 1 s", async () => {
      const a = openFeed();
      const b = openFeed();
      const [fromA, fromB] = await Promise.all([listen(a), listen(b)]);
      assert.equal(a.isHealthy(), true);
      assert.equal(b.isHealthy(), true);
      const record = makeRecord("fan-out");
      await a.publish(record);
      const elapsed = await waitUntil("both instances to receive it", () => fromA.length === 1 && fromB.length === 1, 1_000);
      assert.ok(elapsed < 1_000);
      assert.deepEqual(fromB[0], record);
      assert.deepEqual(fromA[0], record);
    });

    test("a deployment with another key prefix hears nothing", async () => {
      const ours = openFeed();
      const theirs = openFeed(createTestKeyPrefix());
      const [heardByUs, heardByThem] = await Promise.all([listen(ours), listen(theirs)]);
      await ours.publish(makeRecord("private"));
      await waitUntil("our instance to receive it", () => heardByUs.length === 1, 1_000);
      await sleep(100);
      assert.deepEqual(heardByThem, []);
    });

    test("malformed messages on the channel are dropped and counted, valid ones still pass", async () => {
      const feed = openFeed();
      const received = await listen(feed);
      const raw = new Redis(url);
      try {
        await raw.publish(feed.channel, "not json");
        await raw.publish(feed.channel, JSON.stringify({ kind: "everything", value: "1", revokedAt: 1, expiresAt: 2 }));
        const valid = makeRecord("after-garbage");
        await raw.publish(feed.channel, JSON.stringify(valid));
        await waitUntil("the valid record", () => received.length === 1, 1_000);
        assert.deepEqual(received, [valid]);
        assert.equal(feed.droppedMessages, 2);
      } finally {
        raw.disconnect();
      }
    });

    test("close is idempotent; publishing after close fails as backend_unavailable", async () => {
      const feed = openFeed();
      await listen(feed);
      await feed.close();
      await feed.close();
      assert.equal(feed.isHealthy(), false);
      await assert.rejects(feed.publish(makeRecord("late")), (error: unknown) => error instanceof BackendUnavailableError);
    });

    test("a shared publisher connection is left open by close", async () => {
      const publisher = new Redis(url);
      try {
        const feed = new RedisRevocationFeed({ url, keyPrefix: prefix, publisher });
        await listen(feed);
        await feed.close();
        assert.equal(await publisher.ping(), "PONG");
      } finally {
        publisher.disconnect();
      }
    });
  });
}

const startRedis = await requirePrivateRedis();
if (startRedis !== null) {
  describe("RedisRevocationFeed through a Redis outage (private redis-server)", () => {
    const servers: PrivateRedis[] = [];
    const feeds: RedisRevocationFeed[] = [];
    after(async () => {
      await Promise.all(feeds.map((feed) => feed.close()));
      await Promise.all(servers.map((server) => server.stop()));
    });
    const setUp = async (options: { onResubscribed?: () => void } = {}) => {
      const server = await startRedis();
      servers.push(server);
      const keyPrefix = createTestKeyPrefix();
      const a = new RedisRevocationFeed({ url: server.url, keyPrefix, ...options });
      const b = new RedisRevocationFeed({ url: server.url, keyPrefix });
      feeds.push(a, b);
      const received = await listen(a);
      await listen(b);
      return { server, a, b, received };
    };

    test("Redis killed: unhealthy, publish fails fast; Redis back: resubscribes by itself and delivers again", async () => {
      let resubscribed = 0;
      const { server, a, b, received } = await setUp({ onResubscribed: () => (resubscribed += 1) });
      assert.equal(a.isHealthy(), true);

      await server.kill();
      await waitUntil("the feeds to notice", () => !a.isHealthy() && !b.isHealthy(), 2_000);
      const started = Date.now();
      await assert.rejects(b.publish(makeRecord("during-outage")), (error: unknown) => error instanceof BackendUnavailableError);
      assert.ok(Date.now() - started < 200, "publish must not wait for Redis");

      await server.start();
      await waitUntil("the feeds to recover", () => a.isHealthy() && b.isHealthy(), 5_000);
      assert.equal(resubscribed, 1);
      const record = makeRecord("after-outage");
      await b.publish(record);
      await waitUntil("delivery after recovery", () => received.some((r) => r.value === "after-outage"), 1_000);
      assert.equal(
        received.some((r) => r.value === "during-outage"),
        false,
      );
    });

    test("Redis frozen (no answers, sockets open): the heartbeat notices, and it recovers when Redis thaws", async () => {
      const { server, a, b, received } = await setUp();
      server.pause();
      try {
        await waitUntil("the subscriber to notice the silence", () => !a.isHealthy(), 4_000);
      } finally {
        server.resume();
      }
      await waitUntil("the feeds to recover", () => a.isHealthy() && b.isHealthy(), 5_000);
      await b.publish(makeRecord("after-freeze"));
      await waitUntil("delivery after the freeze", () => received.some((r) => r.value === "after-freeze"), 1_000);
    });

    test("an instance that starts while Redis is down does not hang, and joins when Redis comes up", async () => {
      const port = await findFreePort();
      const feed = new RedisRevocationFeed({ url: `redis://127.0.0.1:${port}`, keyPrefix: createTestKeyPrefix() });
      feeds.push(feed);
      const started = Date.now();
      const received = await listen(feed);
      assert.ok(Date.now() - started < 3_000, "subscribe waits a bounded time");
      assert.equal(feed.isHealthy(), false);
      await assert.rejects(feed.publish(makeRecord("nobody-home")), (error: unknown) => error instanceof BackendUnavailableError);
      assert.deepEqual(received, []);

      const server = await startRedis({ port });
      servers.push(server);
      await waitUntil("the feed to connect and subscribe", () => feed.isHealthy(), 5_000);
      const record = makeRecord("late-joiner");
      await feed.publish(record);
      await waitUntil("delivery", () => received.length === 1, 1_000);
      assert.deepEqual(received, [record]);
    });
  });
}

// Contract section 5 during a Redis outage: two real instances over the shared PostgreSQL and a
// private redis-server this test kills and restarts. Revoked tokens stay rejected (the database
// poll carries revocations), limits fall back to per-instance, /readyz names Redis, nothing
// crashes, and everything comes back by itself.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { requireTestPostgres } from "../support/postgres.js";
import { findFreePort, requirePrivateRedis, waitUntil, type PrivateRedis } from "../support/redis.js";
import { createScaleOutBackends } from "./backends.js";
import { call, logIn, readiness, registerUser, waitForRejection } from "./http-client.js";
import { startInstance, stopInstances, type Instance } from "./instances.js";

const PROPAGATION_BUDGET_MS = 1_000;
const REQUEST_LIMIT = 50;

async function remainingAfterOneRequest(instance: Instance, token: string): Promise<number> {
  const reply = await call(instance, "GET", "/api/me", { token });
  assert.equal(reply.status, 200, `${instance.name}: ${JSON.stringify(reply.body)}`);
  return Number(reply.headers.get("ratelimit-remaining"));
}

const pgUrl = await requireTestPostgres();
const startRedis = await requirePrivateRedis();
if (pgUrl !== null && startRedis !== null) {
  const servers: PrivateRedis[] = [];
  const instances: Instance[] = [];
  let cleanUp: () => Promise<void> = async () => undefined;
  after(async () => {
    await stopInstances(instances);
    await Promise.all(servers.map((server) => server.stop()));
    await cleanUp();
  });

  describe("tessera serve through a Redis outage", () => {
    let redis: PrivateRedis;
    let a: Instance;
    let b: Instance;
    let env: Record<string, string> = {};

    test("set-up: two instances over PostgreSQL and a private Redis", async () => {
      redis = await startRedis();
      servers.push(redis);
      const backends = createScaleOutBackends(pgUrl, redis.url);
      cleanUp = backends.cleanUp;
      env = { ...backends.env, TESSERA_REQUEST_LIMIT_TOKEN: `${REQUEST_LIMIT}/1m` };
      a = await startInstance("a", env);
      instances.push(a);
      b = await startInstance("b", env);
      instances.push(b);
      await registerUser(a, "ada");
    });

    test("with Redis up, the request limit is shared", async () => {
      const { accessToken } = await logIn(a, "ada");
      assert.equal(await remainingAfterOneRequest(a, accessToken), REQUEST_LIMIT - 1);
      assert.equal(await remainingAfterOneRequest(b, accessToken), REQUEST_LIMIT - 2);
    });

    test("Redis down: /readyz says so on every instance, /healthz stays up, requests keep working", async () => {
      await redis.kill();
      for (const instance of [a, b]) {
        await waitUntil(`${instance.name} to report Redis down`, async () => (await readiness(instance)).checks["redis"] === "down", 5_000, 100);
        assert.deepEqual(await readiness(instance), { status: 503, checks: { database: "ok", redis: "down" } });
        assert.equal((await call(instance, "GET", "/healthz")).status, 200);
      }
      const { accessToken } = await logIn(b, "ada");
      const me = await call(a, "GET", "/api/me", { token: accessToken });
      assert.equal(me.status, 200);
      assert.ok(me.elapsedMs < 1_000, `a request took ${me.elapsedMs} ms while Redis was down`);
    });

    test("Redis down: a token revoked on A is still rejected on B within 1 s (through the database)", async () => {
      const tokens = await logIn(a, "ada");
      assert.equal((await call(b, "GET", "/api/me", { token: tokens.accessToken })).status, 200);
      assert.equal((await call(a, "DELETE", "/api/tokens", { token: tokens.accessToken })).status, 204);
      const elapsed = await waitForRejection(b, tokens.accessToken, PROPAGATION_BUDGET_MS);
      assert.ok(elapsed < PROPAGATION_BUDGET_MS);
    });

    test("Redis down: logout everywhere on B is rejected on A within 1 s", async () => {
      const first = await logIn(a, "ada");
      const second = await logIn(b, "ada");
      assert.equal((await call(b, "DELETE", "/api/me/sessions", { token: second.accessToken })).status, 204);
      await waitForRejection(a, first.accessToken, PROPAGATION_BUDGET_MS);
      await waitForRejection(a, second.accessToken, PROPAGATION_BUDGET_MS);
    });

    test("Redis down: each instance counts the request limit on its own", async () => {
      const { accessToken } = await logIn(a, "ada");
      assert.equal(await remainingAfterOneRequest(a, accessToken), REQUEST_LIMIT - 1);
      assert.equal(await remainingAfterOneRequest(b, accessToken), REQUEST_LIMIT - 1);
      assert.equal(await remainingAfterOneRequest(a, accessToken), REQUEST_LIMIT - 2);
    });

    test("an instance started while Redis is down comes up and serves", async () => {
      const port = await findFreePort();
      // Nothing listens on this port: the instance starts with Redis down.
      const c = await startInstance("c", { ...env, TESSERA_REDIS_URL: `redis://127.0.0.1:${port}` });
      instances.push(c);
      assert.deepEqual(await readiness(c), { status: 503, checks: { database: "ok", redis: "down" } });
      const { accessToken } = await logIn(c, "ada");
      assert.equal((await call(a, "GET", "/api/me", { token: accessToken })).status, 200);
      assert.equal(await c.stop(), 0);
    });

    test("Redis back: every instance recovers by itself, limits are shared and revocations fast again", async () => {
      await redis.start();
      for (const instance of [a, b]) {
        await waitUntil(`${instance.name} to report Redis up`, async () => (await readiness(instance)).status === 200, 10_000, 100);
      }
      const tokens = await logIn(a, "ada");
      assert.equal(await remainingAfterOneRequest(a, tokens.accessToken), REQUEST_LIMIT - 1);
      assert.equal(await remainingAfterOneRequest(b, tokens.accessToken), REQUEST_LIMIT - 2);
      assert.equal((await call(b, "DELETE", "/api/tokens", { token: tokens.accessToken })).status, 204);
      await waitForRejection(a, tokens.accessToken, PROPAGATION_BUDGET_MS);
    });

    test("nothing crashed", async () => {
      for (const instance of [a, b]) assert.equal(instance.isRunning(), true, `${instance.name}: ${instance.stderr()}`);
      assert.deepEqual(await Promise.all([a.stop(), b.stop()]), [0, 0]);
    });
  });
}

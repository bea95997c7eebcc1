// A PostgreSQL outage seen by a real instance, through a TCP proxy this test controls (the
// shared PostgreSQL itself is never stopped): routes that need the database answer 503
// backend_unavailable within a bounded time, what needs only a JWT keeps working, and the
// instance recovers without a restart.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { readTestPostgresUrl, requireTestPostgres } from "../support/postgres.js";
import { requireTestRedis, waitUntil } from "../support/redis.js";
import { createScaleOutBackends } from "./backends.js";
import { call, logIn, readiness, registerUser, type Reply } from "./http-client.js";
import { startInstance, stopInstances, type Instance } from "./instances.js";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

/** A refused connection fails at once; allow for a loaded CI machine. */
const REFUSED_BOUND_MS = 2_000;
/** The store's connection timeout (5 s) plus margin. */
const HUNG_BOUND_MS = 8_000;

function assertBackendUnavailable(reply: Reply, label: string): void {
  assert.equal(reply.status, 503, `${label}: ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body["code"], "backend_unavailable", label);
  assert.ok(reply.headers.get("content-type")?.startsWith("application/problem+json"), label);
  assert.ok(Number(reply.headers.get("retry-after")) > 0, `${label}: Retry-After`);
}

const pgUrl = await requireTestPostgres();
const redisUrl = await requireTestRedis();
if (pgUrl !== null && redisUrl !== null) {
  const target = new URL(readTestPostgresUrl());
  const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port || "5432"));
  const viaProxy = new URL(pgUrl);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  const backends = createScaleOutBackends(viaProxy.toString(), redisUrl);
  const instances: Instance[] = [];
  after(async () => {
    await stopInstances(instances);
    await proxy.restore();
    await backends.cleanUp();
    await proxy.close();
  });

  describe("tessera serve through a PostgreSQL outage", () => {
    let a: Instance;
    let userId: number;
    let full: string;
    let narrow: string;
    let revoked: string;

    test("set-up: an instance whose database goes through the proxy", async () => {
      a = await startInstance("a", backends.env);
      instances.push(a);
      userId = await registerUser(a, "ada");
      full = (await logIn(a, "ada")).accessToken;
      const scoped = await call(a, "POST", "/api/tokens", {
        basic: { username: "ada", password: "correct horse battery staple" },
        body: { scope: "users:read" },
      });
      assert.equal(scoped.status, 200, JSON.stringify(scoped.body));
      narrow = scoped.body["access_token"] as string;
      revoked = (await logIn(a, "ada")).accessToken;
      assert.equal((await call(a, "DELETE", "/api/tokens", { token: revoked })).status, 204);
    });

    test("database refusing: routes that need it answer 503 backend_unavailable at once", async () => {
      await proxy.refuse();
      const probes: [string, string, Parameters<typeof call>[3]][] = [
        ["GET", `/api/users/${userId}`, { token: full }],
        ["GET", "/api/me", { token: full }],
        ["GET", "/api/users", { token: full }],
        ["POST", "/api/tokens", { basic: { username: "ada", password: "correct horse battery staple" } }],
        ["POST", "/api/users", { body: { username: "newcomer", password: "correct horse battery staple" } }],
      ];
      for (const [method, path, options] of probes) {
        const reply = await call(a, method, path, options).catch((error: unknown) => {
          throw new Error(`${method} ${path}: no answer (${String(error)}); instance stderr: ${a.stderr()}`);
        });
        assertBackendUnavailable(reply, `${method} ${path}`);
        assert.ok(reply.elapsedMs < REFUSED_BOUND_MS, `${method} ${path} took ${reply.elapsedMs} ms`);
      }
      assert.deepEqual(await readiness(a), { status: 503, checks: { database: "down", redis: "ok" } });
    });

    test("database refusing: what needs only a JWT keeps working", async () => {
      assert.equal((await call(a, "GET", "/healthz")).status, 200);
      const jwks = await call(a, "GET", "/.well-known/jwks.json");
      assert.equal(jwks.status, 200);
      assert.ok(Array.isArray(jwks.body["keys"]));
      // The guard decides from the token and the in-memory revocation set alone.
      const forbidden = await call(a, "POST", "/api/posts", { token: narrow, body: { title: "t", body: "b" } });
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body["code"], "insufficient_scope");
      const rejected = await call(a, "GET", "/api/me", { token: revoked });
      assert.equal(rejected.status, 401, "a revoked token stays revoked, never a 503 or a 200");
      assert.equal(rejected.body["code"], "token_revoked");
      const forged = await call(a, "GET", "/api/me", { token: `${full.slice(0, -4)}AAAA` });
      assert.equal(forged.status, 401);
      assert.equal(forged.body["code"], "token_invalid");
    });

    test("database back: the instance recovers without a restart", async () => {
      await proxy.restore();
      await waitUntil("the database route to answer again", async () => (await call(a, "GET", `/api/users/${userId}`, { token: full })).status === 200, 10_000, 100);
      assert.deepEqual(await readiness(a), { status: 200, checks: { database: "ok", redis: "ok" } });
      assert.equal((await logIn(a, "ada")).accessToken.length > 0, true);
    });

    test("nothing crashed through the refused outage", () => {
      assert.equal(a.isRunning(), true, a.stderr());
    });

    // Relies on the PostgreSQL dialect's client-side query timeout and its 'error' listener on
    // checked-out clients (without it a connection dying mid-query ended the process).
    test(
      "database hanging (connections accepted, nothing answered): 503 within a bounded time, recovery, no crash",
      async () => {
        proxy.silence();
        try {
          for (const path of [`/api/users/${userId}`, "/api/me"]) {
            const reply = await call(a, "GET", path, { token: full, timeoutMs: HUNG_BOUND_MS + 5_000 });
            assertBackendUnavailable(reply, `GET ${path}`);
            assert.ok(reply.elapsedMs < HUNG_BOUND_MS, `GET ${path} took ${reply.elapsedMs} ms`);
          }
          assert.equal((await readiness(a)).status, 503);
          assert.equal((await call(a, "GET", "/healthz")).status, 200);
        } finally {
          await proxy.restore();
        }
        await waitUntil("the database route to answer again", async () => (await call(a, "GET", `/api/users/${userId}`, { token: full })).status === 200, 10_000, 100);
        assert.equal(a.isRunning(), true, a.stderr());
        assert.equal(await a.stop(), 0);
      },
    );
  });
}

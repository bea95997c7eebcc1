// Contract section 5, scaled out: two real `tessera serve` processes over one PostgreSQL and
// one Redis, talked to over sockets.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { requireTestPostgres } from "../support/postgres.js";
import { listKeysByPrefix, requireTestRedis } from "../support/redis.js";
import { countMigrationRows, createScaleOutBackends } from "./backends.js";
import { call, logIn, PASSWORD, readiness, registerUser, waitForRejection } from "./http-client.js";
import { startInstance, stopInstances, type Instance } from "./instances.js";
import { runTessera } from "../cli/helpers.js";

/** The contract: a revocation on any instance is honoured by every instance within 1 s. */
const PROPAGATION_BUDGET_MS = 1_000;
const REQUEST_LIMIT = 40;

const pgUrl = await requireTestPostgres();
const redisUrl = await requireTestRedis();
if (pgUrl !== null && redisUrl !== null) {
  const backends = createScaleOutBackends(pgUrl, redisUrl);
  const env = {
    ...backends.env,
    TESSERA_REQUEST_LIMIT_TOKEN: `${REQUEST_LIMIT}/1m`,
    TESSERA_LOGIN_LIMIT_ACCOUNT: "3/15m",
  };
  const instances: Instance[] = [];
  let a: Instance;
  let b: Instance;
  after(async () => {
    await stopInstances(instances);
    await backends.cleanUp();
  });

  describe("two tessera serve processes over one PostgreSQL and one Redis", () => {
    test("two instances started at once on an empty database both come up, and migrate once", async () => {
      const started = await Promise.all([startInstance("a", env), startInstance("b", env)]);
      instances.push(...started);
      [a, b] = started as [Instance, Instance];
      for (const instance of started) {
        assert.deepEqual(await readiness(instance), { status: 200, checks: { database: "ok", redis: "ok" } }, instance.name);
      }
      const rows = await countMigrationRows(pgUrl, backends.schema);
      assert.ok(rows.size > 0, "migrations were recorded");
      for (const [name, count] of rows) assert.equal(count, 1, `migration ${name} applied ${count} times`);
    });

    test("a token minted on A works on B, and its refresh token rotates on B", async () => {
      await registerUser(a, "ada");
      const tokens = await logIn(a, "ada");
      const me = await call(b, "GET", "/api/me", { token: tokens.accessToken });
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal(me.body["username"], "ada");

      const refreshed = await call(b, "POST", "/api/tokens/refresh", { body: { refresh_token: tokens.refreshToken } });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      const onA = await call(a, "GET", "/api/me", { token: refreshed.body["access_token"] as string });
      assert.equal(onA.status, 200);
    });

    test("a user created on A can log in on B", async () => {
      await registerUser(a, "grace");
      const tokens = await logIn(b, "grace");
      assert.equal((await call(a, "GET", "/api/me", { token: tokens.accessToken })).status, 200);
    });

    test("an access token revoked on A is rejected on B within 1 s", async () => {
      const tokens = await logIn(a, "ada");
      assert.equal((await call(b, "GET", "/api/me", { token: tokens.accessToken })).status, 200, "B accepts it first");
      const revoked = await call(a, "DELETE", "/api/tokens", { token: tokens.accessToken });
      assert.equal(revoked.status, 204);
      const elapsed = await waitForRejection(b, tokens.accessToken, PROPAGATION_BUDGET_MS);
      assert.ok(elapsed < PROPAGATION_BUDGET_MS);
      // Its session went with it, on every instance.
      const refresh = await call(b, "POST", "/api/tokens/refresh", { body: { refresh_token: tokens.refreshToken } });
      assert.equal(refresh.status, 401);
      assert.equal(refresh.body["code"], "token_revoked");
    });

    test("logout everywhere on B is rejected on A within 1 s, for every session", async () => {
      const first = await logIn(a, "grace");
      const second = await logIn(b, "grace");
      for (const token of [first.accessToken, second.accessToken]) assert.equal((await call(a, "GET", "/api/me", { token })).status, 200);
      const out = await call(b, "DELETE", "/api/me/sessions", { token: second.accessToken });
      assert.equal(out.status, 204);
      const elapsed = await Promise.all([
        waitForRejection(a, first.accessToken, PROPAGATION_BUDGET_MS),
        waitForRejection(a, second.accessToken, PROPAGATION_BUDGET_MS),
      ]);
      assert.ok(Math.max(...elapsed) < PROPAGATION_BUDGET_MS);
    });

    test("a personal access token revoked on A is rejected on B within 1 s (B had it cached)", async () => {
      const login = await logIn(a, "ada");
      const created = await call(a, "POST", "/api/me/tokens", { token: login.accessToken, body: { name: "ci", scope: "users:read" } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const pat = created.body["token"] as string;
      assert.equal((await call(b, "GET", "/api/me", { token: pat })).status, 200);
      const deleted = await call(a, "DELETE", `/api/me/tokens/${String(created.body["id"])}`, { token: login.accessToken });
      assert.equal(deleted.status, 204);
      const elapsed = await waitForRejection(b, pat, PROPAGATION_BUDGET_MS);
      assert.ok(elapsed < PROPAGATION_BUDGET_MS);
    });

    test("a user deleted on B loses every token on A within 1 s", async () => {
      const id = await registerUser(b, "leaving");
      const onA = await logIn(a, "leaving");
      const onB = await logIn(b, "leaving");
      const deleted = await call(b, "DELETE", `/api/users/${id}`, { token: onB.accessToken });
      assert.equal(deleted.status, 204);
      const reply = await (async () => {
        const started = Date.now();
        for (;;) {
          const seen = await call(a, "GET", "/api/me", { token: onA.accessToken });
          if (seen.status === 401) return { ...seen, waitedMs: Date.now() - started };
          if (Date.now() - started > PROPAGATION_BUDGET_MS) return { ...seen, waitedMs: Date.now() - started };
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      assert.equal(reply.status, 401, JSON.stringify(reply.body));
      assert.ok(reply.waitedMs < PROPAGATION_BUDGET_MS);
    });

    test("a machine client revoked on B loses its token on A within 1 s, and a revoked secret's token too", async () => {
      const admin = await runTessera(["users", "create", "root", "--admin"], { env: backends.env, stdin: `${PASSWORD}\n` });
      assert.equal(admin.code, 0, admin.stderr);
      const adminToken = (await logIn(b, "root")).accessToken;
      const created = await call(b, "POST", "/api/admin/clients", { token: adminToken, body: { name: "svc", scope: "posts:read", owner_id: Number(admin.stdout.trim()) } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const clientId = created.body["client_id"] as string;
      const grant = async (secret: string) => {
        const reply = await call(a, "POST", "/oauth/token", { body: { grant_type: "client_credentials", client_id: clientId, client_secret: secret } });
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        return reply.body["access_token"] as string;
      };
      const firstToken = await grant(created.body["client_secret"] as string);
      assert.equal((await call(a, "GET", "/api/posts", { token: firstToken })).status, 200);
      const rotated = await call(b, "POST", `/api/admin/clients/${clientId}/secrets`, { token: adminToken, body: { revoke_others: true } });
      assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
      assert.ok((await waitForRejection(a, firstToken, PROPAGATION_BUDGET_MS, "/api/posts")) <= PROPAGATION_BUDGET_MS);

      const secondToken = await grant(rotated.body["client_secret"] as string);
      assert.equal((await call(b, "DELETE", `/api/admin/clients/${clientId}`, { token: adminToken })).status, 204);
      assert.ok((await waitForRejection(a, secondToken, PROPAGATION_BUDGET_MS, "/api/posts")) <= PROPAGATION_BUDGET_MS);
    });

    test("the per-token request limit is one budget across instances", async () => {
      const { accessToken } = await logIn(a, "ada");
      let previous = REQUEST_LIMIT;
      for (let i = 0; i < REQUEST_LIMIT; i++) {
        const instance = i % 2 === 0 ? a : b;
        const reply = await call(instance, "GET", "/api/me", { token: accessToken });
        assert.equal(reply.status, 200, `request ${i + 1} on ${instance.name}`);
        assert.equal(reply.headers.get("ratelimit-limit"), String(REQUEST_LIMIT));
        const remaining = Number(reply.headers.get("ratelimit-remaining"));
        assert.equal(remaining, previous - 1, `request ${i + 1} on ${instance.name} counts against the shared budget`);
        previous = remaining;
      }
      for (const instance of [a, b]) {
        const limited = await call(instance, "GET", "/api/me", { token: accessToken });
        assert.equal(limited.status, 429, instance.name);
        assert.equal(limited.body["code"], "rate_limited");
        assert.ok(Number(limited.headers.get("retry-after")) > 0);
      }
    });

    test("failed logins for one account are counted across instances", async () => {
      await registerUser(a, "locked");
      for (const instance of [a, b, a]) {
        const reply = await call(instance, "POST", "/api/tokens", { basic: { username: "locked", password: "wrong password!" } });
        assert.equal(reply.status, 401, instance.name);
      }
      // The right password, on the instance that saw only one failure, is still locked out.
      const reply = await call(b, "POST", "/api/tokens", { basic: { username: "locked", password: PASSWORD } });
      assert.equal(reply.status, 429);
      assert.equal(reply.body["code"], "rate_limited");
    });

    test("shared counters live under this run's key prefix", async () => {
      const keys = await listKeysByPrefix(redisUrl, backends.keyPrefix);
      assert.ok(keys.some((key) => key.startsWith(`${backends.keyPrefix}rl:request-token:`)), keys.join(", "));
      assert.ok(keys.some((key) => key.startsWith(`${backends.keyPrefix}rl:login-account:`)), keys.join(", "));
    });

    test("both instances are still up and stop cleanly on SIGTERM", async () => {
      for (const instance of [a, b]) assert.equal(instance.isRunning(), true, `${instance.name}: ${instance.stderr()}`);
      assert.deepEqual(await Promise.all([a.stop(), b.stop()]), [0, 0]);
    });
  });
}

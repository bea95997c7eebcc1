import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PASSWORD, basic, bearer, login, makeApp, problem, register } from "./helpers.js";

describe("abuse limits", () => {
  it("locks an account after its failures, even for the right password, without locking others", async () => {
    const app = await makeApp({ TESSERA_LOGIN_LIMIT_ACCOUNT: "3/15m", TESSERA_LOGIN_LIMIT_IP: "off" });
    try {
      await register(app, "dora");
      await register(app, "eve");
      for (let i = 0; i < 3; i++) {
        const wrong = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("dora", "wrong password") } });
        assert.equal(wrong.statusCode, 401);
      }
      const locked = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("dora", PASSWORD) } });
      assert.equal(locked.statusCode, 429);
      assert.equal(problem(locked).code, "rate_limited");
      assert.ok(Number(locked.headers["retry-after"]) > 0);
      const other = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("eve", PASSWORD) } });
      assert.equal(other.statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it("limits login attempts per client IP", async () => {
    const app = await makeApp({ TESSERA_LOGIN_LIMIT_IP: "2/1m" });
    try {
      const attempt = () => app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("nobody", "whatever1") } });
      assert.equal((await attempt()).statusCode, 401);
      assert.equal((await attempt()).statusCode, 401);
      const third = await attempt();
      assert.equal(third.statusCode, 429);
      assert.ok(third.headers["retry-after"]);
    } finally {
      await app.close();
    }
  });

  it("login routes report RateLimit-* headers for the limit closest to refusing, 429s included", async () => {
    const app = await makeApp({ TESSERA_LOGIN_LIMIT_ACCOUNT: "3/15m", TESSERA_LOGIN_LIMIT_IP: "5/1m" });
    try {
      await register(app, "fay");
      const headersOf = (response: { headers: Record<string, unknown> }) =>
        ["ratelimit-limit", "ratelimit-remaining"].map((name) => response.headers[name]);
      const wrong = () => app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("fay", "wrong password") } });
      // First failure: the address has 4 of 5 left, the account 2 of 3; the account is tighter.
      const first = await wrong();
      assert.equal(first.statusCode, 401);
      assert.deepEqual(headersOf(first), ["3", "2"]);
      assert.ok(Number(first.headers["ratelimit-reset"]) > 0);
      assert.deepEqual(headersOf(await wrong()), ["3", "1"]);
      assert.deepEqual(headersOf(await wrong()), ["3", "0"]);
      const locked = await wrong();
      assert.equal(locked.statusCode, 429);
      assert.deepEqual(headersOf(locked), ["3", "0"]);
      assert.equal(locked.headers["ratelimit-reset"], locked.headers["retry-after"]);
      // The OAuth password grant is the same login under the same limits. Another account, but
      // the address has now used its last attempt, which is the tighter limit.
      const oauth = await app.inject({
        method: "POST",
        url: "/oauth/token",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "grant_type=password&username=nobody&password=whatever1",
      });
      assert.equal(oauth.statusCode, 400);
      assert.deepEqual(headersOf(oauth), ["5", "0"]);
    } finally {
      await app.close();
    }
  });

  it("a successful login reports the address's remaining budget", async () => {
    const app = await makeApp({ TESSERA_LOGIN_LIMIT_ACCOUNT: "2/15m", TESSERA_LOGIN_LIMIT_IP: "5/1m" });
    try {
      await register(app, "gil");
      const ok = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("gil", PASSWORD) } });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.headers["ratelimit-limit"], "5");
      assert.equal(ok.headers["ratelimit-remaining"], "4");
    } finally {
      await app.close();
    }
  });

  it("limits requests per token and reports RateLimit-* headers", async () => {
    const app = await makeApp({ TESSERA_REQUEST_LIMIT_TOKEN: "2/1m" });
    try {
      await register(app, "finn");
      const { access_token } = await login(app, "finn");
      const first = await app.inject({ method: "GET", url: "/api/me", headers: bearer(access_token) });
      assert.equal(first.statusCode, 200);
      assert.equal(first.headers["ratelimit-limit"], "2");
      assert.equal(first.headers["ratelimit-remaining"], "1");
      assert.ok(Number(first.headers["ratelimit-reset"]) > 0);
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(access_token) })).statusCode, 200);
      const third = await app.inject({ method: "GET", url: "/api/me", headers: bearer(access_token) });
      assert.equal(third.statusCode, 429);
      assert.equal(problem(third).code, "rate_limited");
      assert.ok(third.headers["retry-after"]);
    } finally {
      await app.close();
    }
  });
});

describe("TESSERA_TRUST_PROXY", () => {
  const attempt = (app: Awaited<ReturnType<typeof makeApp>>, forwardedFor: string) =>
    app.inject({
      method: "POST",
      url: "/api/tokens",
      remoteAddress: "127.0.0.1",
      headers: { authorization: basic("nobody", "whatever1"), "x-forwarded-for": forwardedFor },
    });

  it("keys the login IP limit on X-Forwarded-For only from trusted proxies", async () => {
    const trusting = await makeApp({ TESSERA_LOGIN_LIMIT_IP: "1/1m", TESSERA_TRUST_PROXY: "127.0.0.1" });
    try {
      assert.equal((await attempt(trusting, "203.0.113.1")).statusCode, 401);
      assert.equal((await attempt(trusting, "203.0.113.2")).statusCode, 401, "another client behind the proxy has its own budget");
      assert.equal((await attempt(trusting, "203.0.113.1")).statusCode, 429);
    } finally {
      await trusting.close();
    }
    const untrusting = await makeApp({ TESSERA_LOGIN_LIMIT_IP: "1/1m" });
    try {
      assert.equal((await attempt(untrusting, "203.0.113.1")).statusCode, 401);
      assert.equal((await attempt(untrusting, "203.0.113.2")).statusCode, 429, "a spoofed header does not buy a new budget");
    } finally {
      await untrusting.close();
    }
  });
});

describe("per-token limit and admins", () => {
  it("is off for admins by default", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { openServerDatabase } = await import("../../src/server/server-database.js");
    const { hashPassword } = await import("../../src/core/passwords/index.js");
    const dir = await mkdtemp(join(tmpdir(), "tessera-admin-"));
    const url = `sqlite:${join(dir, "tessera.db")}`;
    const app = await makeApp({ TESSERA_DATABASE_URL: url, TESSERA_REQUEST_LIMIT_TOKEN: "1/1m" });
    try {
      const store = await openServerDatabase(url);
      await store.users.createUser({ username: "root", passwordHash: await hashPassword(PASSWORD), isAdmin: true, now: Date.now() });
      await store.close();
      await register(app, "jan");
      const admin = await login(app, "root");
      const user = await login(app, "jan");
      for (let i = 0; i < 3; i++) {
        const response = await app.inject({ method: "GET", url: "/api/me", headers: bearer(admin.access_token) });
        assert.equal(response.statusCode, 200);
        assert.equal(response.headers["ratelimit-limit"], undefined);
      }
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(user.access_token) })).statusCode, 200);
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(user.access_token) })).statusCode, 429);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("account lockout under concurrency", () => {
  it("concurrent wrong guesses cannot slip past the per-account limit", async () => {
    const app = await makeApp({ TESSERA_LOGIN_LIMIT_ACCOUNT: "5/15m", TESSERA_LOGIN_LIMIT_IP: "off" });
    try {
      await register(app, "kim");
      const guesses = await Promise.all(
        Array.from({ length: 30 }, () => app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("kim", "wrong guess!") } })),
      );
      const statuses = guesses.map((response) => response.statusCode);
      assert.equal(statuses.filter((status) => status === 401).length, 5, "only the limit's worth of guesses is verified");
      assert.equal(statuses.filter((status) => status === 429).length, 25);
      const right = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("kim", PASSWORD) } });
      assert.equal(right.statusCode, 429, "the locked account refuses even the right password");
    } finally {
      await app.close();
    }
  });
});

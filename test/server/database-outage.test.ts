// The reference server through a PostgreSQL outage, in process, its database reached through a
// TCP proxy this test controls (the shared PostgreSQL is never stopped): what an outage must
// not do to logins, logouts, logs and the routes that need only the token.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { buildApp } from "../../src/server/app.js";
import { loadConfig } from "../../src/server/config.js";
import { openServerDatabase } from "../../src/server/server-database.js";
import { hashPassword } from "../../src/core/passwords/index.js";
import { createTestSchemaName, dropTestSchema, requireTestPostgres } from "../support/postgres.js";
import { waitUntil } from "../support/redis.js";
import { startTcpProxy, type TcpProxy } from "../scale-out/tcp-proxy.js";
import { basic, bearer, PASSWORD, register, type TokenResponse } from "./helpers.js";

/** TESSERA_DATABASE_TIMEOUT of the app under test, in seconds. */
const TIMEOUT_SECONDS = 2;
/** The budget plus room for a loaded machine; per-wait timeouts used to take twice the budget. */
const HUNG_BOUND_MS = TIMEOUT_SECONDS * 1000 + 1_500;

const pgUrl = await requireTestPostgres();
if (pgUrl !== null) {
  describe("the server through a PostgreSQL outage", () => {
    const schema = createTestSchemaName();
    let proxy: TcpProxy;
    let app: FastifyInstance;
    const logLines: Record<string, unknown>[] = [];

    before(async () => {
      const target = new URL(pgUrl);
      proxy = await startTcpProxy(target.hostname, Number(target.port || "5432"));
      const viaProxy = new URL(pgUrl);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxy.port);
      viaProxy.searchParams.set("schema", schema);
      const config = loadConfig({
        TESSERA_DATABASE_URL: viaProxy.toString(),
        TESSERA_DATABASE_TIMEOUT: String(TIMEOUT_SECONDS),
        TESSERA_LOG_LEVEL: "info",
        TESSERA_SIGNUP_LIMIT_IP: "off",
        TESSERA_TOKEN_ENDPOINT_LIMIT_IP: "off",
        TESSERA_BAD_TOKEN_LIMIT_IP: "off",
      });
      const logStream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") logLines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      app = await buildApp(config, { logStream });
    });
    after(async () => {
      await proxy.restore();
      await app.close();
      await proxy.close();
      await dropTestSchema(pgUrl, schema);
    });

    const logIn = async (username: string): Promise<TokenResponse> => {
      const response = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic(username, PASSWORD) } });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<TokenResponse>();
    };
    const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

    test("logins answered 503 during an outage do not count towards locking the account", async () => {
      await register(app, "grace");
      await proxy.refuse();
      try {
        // More than the account limit (10 per 15 min), all with the right password.
        for (let attempt = 0; attempt < 12; attempt++) {
          const response = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("grace", PASSWORD) } });
          assert.equal(response.statusCode, 503, response.body);
          assert.equal(response.json<{ code: string }>().code, "backend_unavailable");
        }
      } finally {
        await proxy.restore();
      }
      await settle();
      await logIn("grace");
    });

    test("dropped packets: a login and a database read answer 503 within TESSERA_DATABASE_TIMEOUT", async () => {
      await register(app, "hana");
      const tokens = await logIn("hana");
      proxy.silence();
      try {
        for (const request of [
          { method: "POST" as const, url: "/api/tokens", headers: { authorization: basic("hana", PASSWORD) } },
          { method: "GET" as const, url: "/api/users", headers: bearer(tokens.access_token) },
        ]) {
          const started = Date.now();
          const response = await app.inject(request);
          const elapsed = Date.now() - started;
          assert.equal(response.statusCode, 503, `${request.method} ${request.url}: ${response.body}`);
          assert.ok(Number(response.headers["retry-after"]) > 0);
          assert.ok(elapsed < HUNG_BOUND_MS, `${request.method} ${request.url} took ${elapsed} ms with TESSERA_DATABASE_TIMEOUT=${TIMEOUT_SECONDS}`);
        }
      } finally {
        await proxy.restore();
      }
      await settle();
    });

    test("a logout answered 503 changed nothing: both tokens still work, and the retry ends the session", async () => {
      await register(app, "ida");
      const tokens = await logIn("ida");
      // The revocation entry cannot be written: the database reports a connection failure
      // (SQLSTATE 08006) on that one insert, after the session's row could have been changed.
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      try {
        await admin.query(`create function "${schema}".fail_revocation() returns trigger language plpgsql as $$ begin raise exception 'connection lost' using errcode = '08006'; end $$`);
        await admin.query(`create trigger fail_revocation before insert on "${schema}".tessera_revocations for each row execute function "${schema}".fail_revocation()`);
        const logout = await app.inject({ method: "DELETE", url: "/api/tokens", headers: bearer(tokens.access_token) });
        assert.equal(logout.statusCode, 503, logout.body);
        const me = await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(tokens.access_token) });
        assert.equal(me.statusCode, 200, `the access token still works: ${me.body}`);
        await admin.query(`drop trigger fail_revocation on "${schema}".tessera_revocations`);
      } finally {
        await admin.query(`drop trigger if exists fail_revocation on "${schema}".tessera_revocations`).catch(() => undefined);
        await admin.end();
      }
      const refreshed = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: tokens.refresh_token } });
      assert.equal(refreshed.statusCode, 200, `the refresh token still works: ${refreshed.body}`);
      const pair = refreshed.json<TokenResponse>();
      const retry = await app.inject({ method: "DELETE", url: "/api/tokens", headers: bearer(tokens.access_token) });
      assert.equal(retry.statusCode, 204, retry.body);
      assert.equal((await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(pair.access_token) })).statusCode, 401);
      assert.equal((await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: pair.refresh_token } })).statusCode, 401);
    });

    test("an outage is logged once when it starts and once when it ends, and its failed requests are counted", async () => {
      const transitions = () => logLines.filter((line) => line["event"] === "backend_down" || line["event"] === "backend_up");
      // The earlier tests' outages are over once their end has been logged.
      await waitUntil("the earlier outages to be logged as over", () => transitions().at(-1)?.["event"] !== "backend_down", 10_000, 50);
      const before = transitions().length;
      const failuresBefore = await backendFailures();
      await proxy.refuse();
      try {
        for (let attempt = 0; attempt < 8; attempt++) {
          const response = await app.inject({ method: "POST", url: "/api/users", payload: { username: `nobody${attempt}`, password: PASSWORD } });
          assert.equal(response.statusCode, 503, response.body);
        }
      } finally {
        await proxy.restore();
      }
      await waitUntil("the database to be logged as back", () => transitions().slice(before).some((line) => line["event"] === "backend_up"), 10_000, 50);
      const logged = transitions().slice(before);
      assert.deepEqual(logged.map((line) => [line["event"], line["backend"]]), [["backend_down", "database"], ["backend_up", "database"]]);
      assert.equal(typeof logged[1]?.["downtime_ms"], "number");
      assert.equal(logLines.filter((line) => /backend unavailable/i.test(String(line["msg"]))).length, 0, "no line per failed request");
      assert.equal((await backendFailures()) - failuresBefore, 8);
    });

    test("routes decided by the token keep answering from memory: GET /api/me and introspection of an access token", async () => {
      const direct = new URL(pgUrl);
      direct.searchParams.set("schema", schema);
      const database = await openServerDatabase(direct.toString());
      try {
        await database.users.createUser({ username: "root", passwordHash: await hashPassword(PASSWORD), isAdmin: true, now: Date.now() });
      } finally {
        await database.close();
      }
      await register(app, "jun");
      await register(app, "kim");
      const jun = await logIn("jun");
      const kim = await logIn("kim");
      const root = await logIn("root");
      const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(jun.access_token) });
      assert.equal(me.statusCode, 200, me.body);
      const introspect = (token: string) =>
        app.inject({ method: "POST", url: "/oauth/introspect", headers: bearer(root.access_token), payload: { token } });
      await proxy.refuse();
      try {
        const meDuring = await app.inject({ method: "GET", url: "/api/me", headers: bearer(jun.access_token) });
        assert.equal(meDuring.statusCode, 200, meDuring.body);
        assert.deepEqual(meDuring.json(), me.json(), "the profile this instance read moments ago");
        const known = await introspect(jun.access_token);
        assert.equal(known.statusCode, 200, known.body);
        assert.equal(known.json<{ active: boolean; username?: string }>().active, true);
        assert.equal(known.json<{ username?: string }>().username, "jun");
        // A user this instance never read: the token's answer does not wait for the database.
        const unknown = await introspect(kim.access_token);
        assert.equal(unknown.statusCode, 200, unknown.body);
        assert.equal(unknown.json<{ active: boolean; sub: string }>().active, true);
        assert.equal(unknown.json<{ username?: string }>().username, undefined);
        // Forged and refresh tokens: decided without the database, or not at all.
        assert.deepEqual((await introspect(`${jun.access_token.slice(0, -4)}AAAA`)).json(), { active: false });
        // What reads the database still needs it.
        assert.equal((await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(jun.access_token) })).statusCode, 503);
        assert.equal((await introspect(kim.refresh_token)).statusCode, 503);
      } finally {
        await proxy.restore();
      }
      await settle();
    });

    async function backendFailures(): Promise<number> {
      const metrics = await app.inject({ method: "GET", url: "/metrics" });
      const match = /^tessera_backend_failures_total\{backend="database"\} (\d+)$/m.exec(metrics.body);
      return match?.[1] === undefined ? 0 : Number(match[1]);
    }
  });
}

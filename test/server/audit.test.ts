// The audit log over real HTTP: what is recorded for each auth event, who sees which events,
// cursors and filters, aggregated rate-limit refusals, and that no secret is ever in it.
import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { basic, bearer, login, makeAppWithAdmin, PASSWORD, register } from "./helpers.js";

interface EventView {
  id: number;
  at: string;
  type: string;
  actor: { type: string; id: string | null };
  user_id: number | null;
  client_id: string | null;
  session_id: number | null;
  subject: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  via: string | null;
  count: number;
}

interface EventPage {
  items: EventView[];
  next_cursor: string | null;
}

void describe("audit log", () => {
  let now = Date.now();
  const clock = { now: () => now };
  let app: FastifyInstance;
  let admin: string;
  let adaId: number;
  const secrets: string[] = [PASSWORD];

  async function events(token: string, url: string): Promise<EventPage> {
    const response = await app.inject({ method: "GET", url, headers: bearer(token) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<EventPage>();
  }

  before(async () => {
    app = await makeAppWithAdmin({ TESSERA_LOGIN_LIMIT_IP: "20/1m", TESSERA_LOGIN_LIMIT_ACCOUNT: "50/15m" }, { clock });
    admin = (await login(app, "root")).access_token;
    secrets.push(admin);
    adaId = (await register(app, "ada")).id;
    await register(app, "bob");
  });
  after(() => app.close());

  it("unknown user and wrong password are one answer to the client and two outcomes in the log", async () => {
    const unknown = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("nobody", "wrong password 1") } });
    const wrong = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("ada", "wrong password 2"), "user-agent": "probe/1" } });
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(unknown.json(), wrong.json(), "the same body");

    const page = await events(admin, "/api/admin/events?type=login.failed");
    const [latest, previous] = page.items;
    assert.equal(latest?.reason, "wrong_password");
    assert.equal(latest?.user_id, adaId);
    assert.equal(latest?.user_agent, "probe/1");
    assert.equal(latest?.via, "POST /api/tokens");
    assert.equal(latest?.ip, "127.0.0.1");
    assert.equal(previous?.reason, "unknown_user");
    assert.equal(previous?.user_id, null);
    assert.equal(previous?.actor.type, "anonymous");
    const all = JSON.stringify((await events(admin, "/api/admin/events?limit=200")).items);
    for (const secret of ["nobody", "wrong password 1", "wrong password 2"]) assert.ok(!all.includes(secret), `${secret} is not in the log`);
  });

  it("a user's own events: login, refresh, reuse of a spent refresh token, logout, PATs, each with its request", async () => {
    const pair = await login(app, "ada");
    secrets.push(pair.access_token, pair.refresh_token);
    const refreshed = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: pair.refresh_token } });
    assert.equal(refreshed.statusCode, 200);
    secrets.push(refreshed.json<{ refresh_token: string }>().refresh_token);
    now += 60_000; // past the reuse grace window
    const reused = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: pair.refresh_token } });
    assert.equal(reused.statusCode, 401);

    const second = await login(app, "ada");
    secrets.push(second.access_token, second.refresh_token);
    const pat = await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(second.access_token), payload: { name: "ci", scope: "posts:read" } });
    assert.equal(pat.statusCode, 201, pat.body);
    const created = pat.json<{ id: number; token: string }>();
    secrets.push(created.token);
    assert.equal((await app.inject({ method: "DELETE", url: `/api/me/tokens/${created.id}`, headers: bearer(second.access_token) })).statusCode, 204);
    assert.equal((await app.inject({ method: "DELETE", url: "/api/tokens", headers: bearer(second.access_token) })).statusCode, 204);

    const third = (await login(app, "ada")).access_token;
    const mine = (await events(third, "/api/me/events?limit=100")).items;
    assert.ok(mine.every((event) => event.user_id === adaId), "only the caller's own events");
    const types = mine.map((event) => event.type).reverse();
    for (const expected of ["login.succeeded", "token.refreshed", "refresh.reuse_detected", "session.revoked", "pat.created", "pat.revoked", "logout"]) {
      assert.ok(types.includes(expected), `${expected} in ${types.join(", ")}`);
    }
    const reuse = mine.find((event) => event.type === "refresh.reuse_detected");
    assert.equal(typeof reuse?.session_id, "number");
    assert.equal(reuse?.via, "POST /api/tokens/refresh");
    const revokedPat = mine.find((event) => event.type === "pat.revoked");
    assert.equal(revokedPat?.subject, `token:${created.id}`);
    assert.equal(revokedPat?.via, "DELETE /api/me/tokens/:id");
    assert.deepEqual(revokedPat?.actor, { type: "user", id: String(adaId) });
    const logout = mine.find((event) => event.type === "session.revoked" && event.via === "DELETE /api/tokens");
    assert.ok(logout, "logout revoked the session, by DELETE /api/tokens");
    assert.ok(logout.request_id);

    const everything = JSON.stringify((await events(admin, "/api/admin/events?limit=200")).items);
    for (const secret of secrets) assert.ok(!everything.includes(secret), "no token or password in the log");
  });

  it("pages with a cursor and filters by user, type and time; admins only", async () => {
    const first = await events(admin, `/api/admin/events?user_id=${adaId}&limit=2`);
    assert.equal(first.items.length, 2);
    assert.ok(first.next_cursor);
    const second = await events(admin, `/api/admin/events?user_id=${adaId}&limit=2&cursor=${first.next_cursor}`);
    const ids = [...first.items, ...second.items].map((event) => event.id);
    assert.equal(new Set(ids).size, 4, "no event twice");
    assert.ok(ids.every((id, index) => index === 0 || id < (ids[index - 1] ?? 0)), "newest first");
    const recent = await events(admin, "/api/admin/events?since=1s&type=login.succeeded,logout");
    assert.ok(recent.items.every((event) => ["login.succeeded", "logout"].includes(event.type)));
    const future = await events(admin, `/api/admin/events?since=${new Date(now + 3_600_000).toISOString()}`);
    assert.deepEqual(future.items, []);
    const bad = await app.inject({ method: "GET", url: "/api/admin/events?since=yesterday", headers: bearer(admin) });
    assert.equal(bad.statusCode, 400);
    const ada = (await login(app, "ada")).access_token;
    assert.equal((await app.inject({ method: "GET", url: "/api/admin/events", headers: bearer(ada) })).statusCode, 403);
    assert.equal((await app.inject({ method: "GET", url: "/api/me/events?cursor=abc", headers: bearer(ada) })).statusCode, 400);
  });

  it("user creation and password changes are recorded", async () => {
    const carol = await register(app, "carol");
    const token = (await login(app, "carol")).access_token;
    const changed = await app.inject({
      method: "PATCH",
      url: `/api/users/${carol.id}`,
      headers: bearer(token),
      payload: { password: "another horse battery staple", current_password: PASSWORD },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const types = (await events(admin, `/api/admin/events?user_id=${carol.id}`)).items.map((event) => event.type);
    assert.ok(types.includes("user.created"));
    assert.ok(types.includes("password.changed"));
    const everything = JSON.stringify((await events(admin, "/api/admin/events?limit=200")).items);
    assert.ok(!everything.includes("another horse battery staple"));
  });
  it("rate-limit refusals are one row per limit, key and minute, with a count", async () => {
    now += 120_000; // a fresh minute and a fresh per-IP window
    let refused = 0;
    for (let attempt = 0; attempt < 25; attempt++) {
      const response = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("bob", "wrong password x") } });
      if (response.statusCode === 429) refused++;
    }
    assert.ok(refused >= 5, `refused ${refused}`);
    now += 60_000; // the minute is over: its aggregate is written
    const rows = (await events(admin, "/api/admin/events?type=rate_limit.refused")).items.filter((event) => event.reason === "login-ip");
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]?.count, refused);
    assert.equal(rows[0]?.subject, "127.0.0.1");
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    assert.match(metrics.body, /^tessera_audit_events_dropped_total 0$/m, "nothing dropped while the database keeps up");
  });

});

// Replays the microblog tutorial over real HTTP: the tutorial's httpie session plus the error cases, and
// checks that only token hashes reach the database.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { start } from "../../examples/microblog-api.js";
import type { RunningExample } from "../../scripts/run-example.js";
import { openTokenStore } from "../../src/stores/index.js";

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

interface User {
  id: number;
  username: string;
  last_seen: string;
  about_me: string | null;
  post_count: number;
  _links: { self: string; my_posts: string; avatar: string };
}

describe("microblog-api (the microblog tutorial)", () => {
  let now = Date.now();
  let app: RunningExample;
  const ids = { muthoni: 0, gitau: 0 };
  let token = "";
  const call = (method: string, path: string, options: { body?: unknown; auth?: string } = {}): Promise<Response> => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.auth !== undefined) headers.Authorization = options.auth;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    return fetch(app.url + path, init);
  };
  const bearer = (value: string): string => `Bearer ${value}`;

  before(async () => {
    app = await start({ port: 0, host: "127.0.0.1", databaseUrl: "sqlite::memory:", clock: { now: () => now } });
  });
  after(() => app.close());

  it("POST /api/users creates muthoni and gitau: 201 with Location, no email or password in the body", async () => {
    for (const username of ["muthoni", "gitau"] as const) {
      const res = await call("POST", "/api/users", { body: { username, email: `${username}@example.com`, password: `${username}123` } });
      assert.equal(res.status, 201);
      const user = (await res.json()) as User & Record<string, unknown>;
      ids[username] = user.id;
      assert.equal(res.headers.get("location"), `/api/users/${user.id}`);
      assert.equal(user.username, username);
      assert.equal(user.post_count, 0);
      assert.equal(user.about_me, null);
      assert.equal("email" in user || "password" in user || "password_hash" in user, false);
    }
  });

  it("POST /api/users: missing fields, a taken username or email are 400 with a message", async () => {
    const missing = await call("POST", "/api/users", { body: { username: "x" } });
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), { error: "Bad Request", message: "must include username, email and password fields" });
    const name = await call("POST", "/api/users", { body: { username: "muthoni", email: "new@example.com", password: "p" } });
    assert.deepEqual(await name.json(), { error: "Bad Request", message: "please use a different username" });
    const email = await call("POST", "/api/users", { body: { username: "new", email: "muthoni@example.com", password: "p" } });
    assert.deepEqual(await email.json(), { error: "Bad Request", message: "please use a different email address" });
  });

  it("http POST /api/tokens without credentials -> 401 {error: Unauthorized} with a Basic challenge", async () => {
    const res = await call("POST", "/api/tokens");
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: "Unauthorized" });
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm="Authentication Required"/);
    const wrong = await call("POST", "/api/tokens", { auth: basic("muthoni", "nope") });
    assert.equal(wrong.status, 401);
    assert.equal((await call("POST", "/api/tokens", { auth: basic("nobody", "muthoni123") })).status, 401);
  });

  it("http --auth muthoni:muthoni123 POST /api/tokens -> {token}; again -> the same token", async () => {
    const res = await call("POST", "/api/tokens", { auth: basic("muthoni", "muthoni123") });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string };
    assert.deepEqual(Object.keys(body), ["token"]);
    token = body.token;
    now += 30_000;
    const again = await call("POST", "/api/tokens", { auth: basic("muthoni", "muthoni123") });
    assert.equal(((await again.json()) as { token: string }).token, token);
  });

  it("http GET /api/users/2 'Authorization: Bearer <token>' -> gitau with _links, post_count, last_seen, about_me", async () => {
    const res = await call("GET", `/api/users/${ids.gitau}`, { auth: bearer(token) });
    assert.equal(res.status, 200);
    const user = (await res.json()) as User;
    assert.deepEqual(Object.keys(user).sort(), ["_links", "about_me", "id", "last_seen", "post_count", "username"]);
    assert.equal(user.username, "gitau");
    assert.deepEqual(user._links.self, `/api/users/${ids.gitau}`);
    assert.deepEqual(user._links.my_posts, `/api/users/${ids.gitau}/my-posts`);
    const md5 = createHash("md5").update("gitau@example.com").digest("hex");
    assert.equal(user._links.avatar, `https://www.gravatar.com/avatar/${md5}?d=identicon&s=128`);
    assert.match(user.last_seen, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("protected routes without a token, or with a bad one, are 401 with a Bearer challenge", async () => {
    for (const auth of [undefined, bearer("S4ut_MoQzn6a8iY5yoLGGg"), basic("muthoni", "muthoni123")]) {
      const res = await call("GET", `/api/users/${ids.gitau}`, auth === undefined ? {} : { auth });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: "Unauthorized" });
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="Authentication Required"/);
    }
  });

  it("posts count and list under /my-posts; GET /api/users is a page", async () => {
    const issued = await call("POST", "/api/tokens", { auth: basic("gitau", "gitau123") });
    const gitauToken = ((await issued.json()) as { token: string }).token;
    assert.notEqual(gitauToken, token);
    const created = await call("POST", "/api/posts", { auth: bearer(gitauToken), body: { body: "my first post" } });
    assert.equal(created.status, 201);
    const user = (await (await call("GET", `/api/users/${ids.gitau}`, { auth: bearer(token) })).json()) as User;
    assert.equal(user.post_count, 1);

    const myPosts = await call("GET", `/api/users/${ids.gitau}/my-posts`, { auth: bearer(token) });
    const postsPage = (await myPosts.json()) as { items: { body: string }[]; _meta: { total_items: number } };
    assert.deepEqual(postsPage.items.map((post) => post.body), ["my first post"]);
    assert.equal(postsPage._meta.total_items, 1);

    const page = await call("GET", "/api/users?page=1&per_page=1", { auth: bearer(token) });
    assert.deepEqual(
      ((await page.json()) as { _meta: unknown; _links: unknown })._meta,
      { page: 1, per_page: 1, total_pages: 2, total_items: 2 },
    );
    const second = (await (await call("GET", "/api/users?page=2&per_page=1", { auth: bearer(token) })).json()) as {
      items: User[];
      _links: { self: string; next: string | null; prev: string | null };
    };
    assert.equal(second.items.length, 1);
    assert.deepEqual(second._links, { self: "/api/users?page=2&per_page=1", next: null, prev: "/api/users?page=1&per_page=1" });
  });

  it("PUT /api/users/:id edits oneself; another user is 403; an unknown user is 404", async () => {
    const forbidden = await call("PUT", `/api/users/${ids.gitau}`, { auth: bearer(token), body: { about_me: "hacked" } });
    assert.equal(forbidden.status, 403);
    assert.deepEqual(await forbidden.json(), { error: "Forbidden" });
    const own = await call("PUT", `/api/users/${ids.muthoni}`, { auth: bearer(token), body: { about_me: "Hi, I am Muthoni" } });
    assert.equal(own.status, 200);
    assert.equal(((await own.json()) as User).about_me, "Hi, I am Muthoni");
    const taken = await call("PUT", `/api/users/${ids.muthoni}`, { auth: bearer(token), body: { username: "gitau" } });
    assert.equal(taken.status, 400);
    const missing = await call("GET", "/api/users/999", { auth: bearer(token) });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "Not Found" });
  });

  it("with 60 s or less left, a new token is handed out and replaces the old one, as the tutorial's single token column did", async () => {
    now += 31_000; // 61 s after issue: 59 s left
    const res = await call("POST", "/api/tokens", { auth: basic("muthoni", "muthoni123") });
    const next = ((await res.json()) as { token: string }).token;
    assert.notEqual(next, token);
    const replaced = await call("GET", `/api/users/${ids.muthoni}`, { auth: bearer(token) });
    assert.equal(replaced.status, 401);
    assert.deepEqual(await replaced.json(), { error: "Unauthorized" });
    assert.equal((await call("GET", `/api/users/${ids.muthoni}`, { auth: bearer(next) })).status, 200);
    // And the new one is handed back while it has more than 60 s left.
    const again = await call("POST", "/api/tokens", { auth: basic("muthoni", "muthoni123") });
    assert.equal(((await again.json()) as { token: string }).token, next);
    token = next;
  });

  it("http DELETE /api/tokens 'Authorization: Bearer <token>' -> 204, and the token is dead", async () => {
    const res = await call("DELETE", "/api/tokens", { auth: bearer(token) });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), "");
    const revoked = await call("GET", `/api/users/${ids.muthoni}`, { auth: bearer(token) });
    assert.equal(revoked.status, 401);
    assert.match(revoked.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    assert.equal((await call("DELETE", "/api/tokens", { auth: bearer(token) })).status, 401);
    const fresh = await call("POST", "/api/tokens", { auth: basic("muthoni", "muthoni123") });
    assert.notEqual(((await fresh.json()) as { token: string }).token, token);
  });
});

describe("microblog-api on a file database", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-microblog-"));
  const databaseUrl = `sqlite:${join(dir, "microblog.db")}`;
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stores only the token's hash, and hands the same token back after a restart", async () => {
    const first = await start({ port: 0, databaseUrl });
    let token: string;
    try {
      await fetch(`${first.url}/api/users`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: "muthoni", email: "m@example.com", password: "muthoni123" }),
      });
      const res = await fetch(`${first.url}/api/tokens`, { method: "POST", headers: { Authorization: basic("muthoni", "muthoni123") } });
      token = ((await res.json()) as { token: string }).token;
    } finally {
      await first.close();
    }

    // Through the store's interface, not its tables: what a read of the token rows yields.
    const store = await openTokenStore(databaseUrl);
    try {
      const rows = await store.listTokens("1", "api");
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.tokenHash, createHash("sha256").update(token).digest("hex"));
      assert.equal(JSON.stringify(rows).includes(token), false);
    } finally {
      await store.close();
    }

    const second = await start({ port: 0, databaseUrl });
    try {
      const res = await fetch(`${second.url}/api/tokens`, { method: "POST", headers: { Authorization: basic("muthoni", "muthoni123") } });
      assert.equal(((await res.json()) as { token: string }).token, token);
      const me = await fetch(`${second.url}/api/users/1`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);
    } finally {
      await second.close();
    }
  });
});

// Replays the Flask-JWT tutorial over real HTTP: the tutorial's curl calls plus the error cases.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { start } from "../../examples/flask-jwt-posts.js";
import type { RunningExample } from "../../scripts/run-example.js";

const INVALID_CREDENTIALS = { description: "Invalid credentials", error: "Bad Request", status_code: 401 };

interface Post {
  id: number;
  title: string;
  body: string;
  created: string;
  user: { id: number; username: string };
}

describe("flask-jwt-posts (the Flask-JWT tutorial)", () => {
  let now = Date.now();
  let app: RunningExample;
  const tokens = { matt: "", elie: "" };
  const ids = { matt: 0, elie: 0, tim: 0 };
  const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<Response> => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.token !== undefined) headers.Authorization = `JWT ${options.token}`;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    return fetch(app.url + path, init);
  };

  before(async () => {
    app = await start({ port: 0, host: "127.0.0.1", databaseUrl: "sqlite::memory:", clock: { now: () => now } });
  });
  after(() => app.close());

  it("POST /signup creates matt, elie and tim: 201 {id, username, posts}", async () => {
    for (const [username, password] of [["matt", "foo"], ["elie", "bar"], ["tim", "baz"]] as const) {
      const res = await call("POST", "/signup", { body: { username, password } });
      assert.equal(res.status, 201);
      const user = (await res.json()) as { id: number; username: string; posts: unknown[] };
      assert.deepEqual(user, { id: user.id, username, posts: [] });
      ids[username] = user.id;
    }
  });

  it("a taken username is 409, not a 200 with a string", async () => {
    const res = await call("POST", "/signup", { body: { username: "matt", password: "other" } });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { code: string }).code, "username_taken");
  });

  it("curl /auth with a wrong password -> 401 Invalid credentials (Flask-JWT body)", async () => {
    const res = await call("POST", "/auth", { body: { username: "matt", password: "alwkjef" } });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), INVALID_CREDENTIALS);
    assert.ok(res.headers.get("www-authenticate"));
  });

  it("an unknown username gets the same 401 instead of a crash", async () => {
    const res = await call("POST", "/auth", { body: { username: "nobody", password: "foo" } });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), INVALID_CREDENTIALS);
    const empty = await call("POST", "/auth", { body: {} });
    assert.equal(empty.status, 401);
  });

  it("curl /auth with matt:foo -> {access_token} carrying identity, iat, nbf, exp (300 s)", async () => {
    for (const [username, password] of [["matt", "foo"], ["elie", "bar"]] as const) {
      const res = await call("POST", "/auth", { body: { username, password } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { access_token: string };
      assert.deepEqual(Object.keys(body), ["access_token"]);
      tokens[username] = body.access_token;
    }
    const payload = tokens.matt.split(".")[1] ?? "";
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, number>;
    assert.equal(claims.identity, ids.matt);
    assert.equal(claims.nbf, claims.iat);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 300);
  });

  it("GET /users/:id needs `Authorization: JWT <t>` and is self only", async () => {
    const missing = await call("GET", `/users/${ids.matt}`);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get("www-authenticate") ?? "", /^JWT realm="Login Required"/);
    const bearer = await fetch(`${app.url}/users/${ids.matt}`, { headers: { Authorization: `Bearer ${tokens.matt}` } });
    assert.equal(bearer.status, 401);
    const own = await call("GET", `/users/${ids.matt}`, { token: tokens.matt });
    assert.equal(own.status, 200);
    assert.deepEqual(await own.json(), { id: ids.matt, username: "matt", posts: [] });
    assert.equal((await call("GET", `/users/${ids.elie}`, { token: tokens.matt })).status, 403);
  });

  it("a forged token is 401", async () => {
    const token = tokens.matt;
    const forged = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    assert.equal((await call("GET", `/users/${ids.matt}`, { token: forged })).status, 401);
    assert.equal((await call("GET", `/users/${ids.matt}`, { token: "garbage" })).status, 401);
  });

  it("posts: create, list, read, update and delete with the owner's token", async () => {
    const created = await call("POST", `/users/${ids.matt}/posts`, { token: tokens.matt, body: { title: "Hello", body: "First post" } });
    assert.equal(created.status, 201);
    const post = (await created.json()) as Post;
    assert.equal(post.title, "Hello");
    assert.equal(post.body, "First post");
    assert.deepEqual(post.user, { id: ids.matt, username: "matt" });
    assert.match(post.created, /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0000$/);

    const list = await call("GET", `/users/${ids.matt}/posts`, { token: tokens.elie });
    assert.deepEqual(((await list.json()) as Post[]).map((p) => p.id), [post.id]);
    const one = await call("GET", `/users/${ids.matt}/posts/${post.id}`, { token: tokens.elie });
    assert.equal(((await one.json()) as Post).id, post.id);
    const me = await call("GET", `/users/${ids.matt}`, { token: tokens.matt });
    assert.equal(((await me.json()) as { posts: Post[] }).posts.length, 1);

    const put = await call("PUT", `/users/${ids.matt}/posts/${post.id}`, { token: tokens.matt, body: { title: "Hello again" } });
    assert.equal(put.status, 200);
    assert.equal(((await put.json()) as Post).title, "Hello again");

    assert.equal((await call("DELETE", `/users/${ids.matt}/posts/${post.id}`, { token: tokens.matt })).status, 204);
    assert.equal((await call("GET", `/users/${ids.matt}/posts/${post.id}`, { token: tokens.matt })).status, 404);
  });

  it("writes with another user's token are 403; a post under the wrong user is 404", async () => {
    const created = await call("POST", `/users/${ids.elie}/posts`, { token: tokens.elie, body: { title: "Elie's", body: "mine" } });
    const post = (await created.json()) as Post;
    assert.equal((await call("POST", `/users/${ids.elie}/posts`, { token: tokens.matt, body: { title: "x", body: "y" } })).status, 403);
    assert.equal((await call("PUT", `/users/${ids.elie}/posts/${post.id}`, { token: tokens.matt, body: { title: "x" } })).status, 403);
    assert.equal((await call("DELETE", `/users/${ids.elie}/posts/${post.id}`, { token: tokens.matt })).status, 403);
    assert.equal((await call("GET", `/users/${ids.matt}/posts/${post.id}`, { token: tokens.matt })).status, 404);
    assert.equal((await call("POST", `/users/${ids.matt}/posts`)).status, 401);
  });

  it("PUT /users/:id renames and re-passwords oneself; another user is 403; a taken name is 409", async () => {
    assert.equal((await call("PUT", `/users/${ids.elie}`, { token: tokens.matt, body: { username: "x" } })).status, 403);
    assert.equal((await call("PUT", `/users/${ids.matt}`, { token: tokens.matt, body: { username: "tim" } })).status, 409);
    const res = await call("PUT", `/users/${ids.matt}`, { token: tokens.matt, body: { username: "matthew", password: "newfoo" } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { username: string }).username, "matthew");
    assert.equal((await call("POST", "/auth", { body: { username: "matthew", password: "newfoo" } })).status, 200);
    assert.equal((await call("POST", "/auth", { body: { username: "matthew", password: "foo" } })).status, 401);
  });

  it("DELETE /users/:id is self only; the deleted user's token stops working", async () => {
    assert.equal((await call("DELETE", `/users/${ids.matt}`, { token: tokens.elie })).status, 403);
    assert.equal((await call("DELETE", `/users/${ids.elie}`, { token: tokens.elie })).status, 204);
    assert.equal((await call("GET", `/users/${ids.elie}`, { token: tokens.elie })).status, 401);
  });

  it("a token is refused after its 300 s", async () => {
    now += 310_000;
    assert.equal((await call("GET", `/users/${ids.matt}`, { token: tokens.matt })).status, 401);
  });
});

// Replays the api-token tutorial over real HTTP: sign up, log in, the api-token header on users and blog
// posts, plus the error cases (401 where the tutorial answered 400).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { start } from "../../examples/api-token-header.js";
import type { RunningExample } from "../../scripts/run-example.js";

interface Blogpost {
  id: number;
  title: string;
  contents: string;
  owner_id: number;
  created_at: string;
  modified_at: string;
}

describe("api-token-header (the api-token tutorial)", () => {
  let now = Date.now();
  let app: RunningExample;
  const tokens = { olawale: "", ada: "" };
  let postId = 0;
  const call = (method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<Response> => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (options.token !== undefined) headers["api-token"] = options.token;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    return fetch(app.url + path, init);
  };

  before(async () => {
    app = await start({ port: 0, host: "127.0.0.1", databaseUrl: "sqlite::memory:", clock: { now: () => now } });
  });
  after(() => app.close());

  it("POST /api/v1/users -> 201 {jwt_token}: HS256 with sub, iat and a one-day exp", async () => {
    for (const username of ["olawale", "ada"] as const) {
      const res = await call("POST", "/api/v1/users", { body: { username, password: `${username}-password` } });
      assert.equal(res.status, 201);
      const body = (await res.json()) as { jwt_token: string };
      assert.deepEqual(Object.keys(body), ["jwt_token"]);
      tokens[username] = body.jwt_token;
    }
    const decode = (part: string): Record<string, unknown> =>
      JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    const [header, payload] = tokens.olawale.split(".").slice(0, 2).map(decode);
    assert.equal(header?.alg, "HS256");
    assert.equal(typeof payload?.sub, "string");
    assert.equal(Number(payload?.exp) - Number(payload?.iat), 86400);
  });

  it("sign-up refuses missing fields and a taken username with 400", async () => {
    assert.equal((await call("POST", "/api/v1/users", { body: { username: "x" } })).status, 400);
    assert.equal((await call("POST", "/api/v1/users", { body: { username: "olawale", password: "other" } })).status, 400);
  });

  it("POST /api/v1/users/login -> {jwt_token}; bad credentials are 401", async () => {
    const res = await call("POST", "/api/v1/users/login", { body: { username: "olawale", password: "olawale-password" } });
    assert.equal(res.status, 200);
    const { jwt_token: token } = (await res.json()) as { jwt_token: string };
    assert.equal((await call("GET", "/api/v1/users/me", { token })).status, 200);
    for (const body of [{ username: "olawale", password: "wrong" }, { username: "nobody", password: "olawale-password" }]) {
      const bad = await call("POST", "/api/v1/users/login", { body });
      assert.equal(bad.status, 401);
      assert.deepEqual(await bad.json(), { error: "invalid credentials" });
      assert.ok(bad.headers.get("www-authenticate"));
    }
    assert.equal((await call("POST", "/api/v1/users/login", { body: { username: "olawale" } })).status, 400);
  });

  it("a missing api-token header is 401 {error: Authentication token not provided} (the tutorial said 400)", async () => {
    const res = await call("GET", "/api/v1/users/me");
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: "Authentication token not provided" });
    assert.equal(res.headers.get("www-authenticate"), 'ApiKey realm="blog-api", header="api-token"');
  });

  it("a bad token is 401 with an invalid_token challenge", async () => {
    const forged = tokens.olawale.slice(0, -4) + (tokens.olawale.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const token of [forged, "not-a-jwt"]) {
      const res = await call("GET", "/api/v1/users/me", { token });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: "invalid token" });
      assert.match(res.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    }
    const bearer = await fetch(`${app.url}/api/v1/users/me`, { headers: { Authorization: `Bearer ${tokens.olawale}` } });
    assert.equal(bearer.status, 401);
  });

  it("GET /api/v1/users/me -> the user", async () => {
    const res = await call("GET", "/api/v1/users/me", { token: tokens.olawale });
    const me = (await res.json()) as { id: number; username: string; blogposts: unknown[] };
    assert.equal(me.username, "olawale");
    assert.deepEqual(me.blogposts, []);
  });

  it("blog posts: create (token), read (public), update and delete (owner only, else 403)", async () => {
    assert.equal((await call("POST", "/api/v1/blogposts", { body: { title: "t", contents: "c" } })).status, 401);
    const created = await call("POST", "/api/v1/blogposts", { token: tokens.olawale, body: { title: "Blog post 1", contents: "Hello" } });
    assert.equal(created.status, 201);
    const post = (await created.json()) as Blogpost;
    postId = post.id;
    assert.equal(post.title, "Blog post 1");
    assert.equal(post.contents, "Hello");
    assert.ok(post.owner_id > 0);
    assert.ok(post.created_at && post.modified_at);

    const list = (await (await call("GET", "/api/v1/blogposts")).json()) as Blogpost[];
    assert.deepEqual(list.map((p) => p.id), [postId]);
    assert.equal(((await (await call("GET", `/api/v1/blogposts/${postId}`)).json()) as Blogpost).contents, "Hello");

    const notMine = await call("PUT", `/api/v1/blogposts/${postId}`, { token: tokens.ada, body: { title: "Mine now" } });
    assert.equal(notMine.status, 403);
    assert.deepEqual(await notMine.json(), { error: "permission denied" });
    assert.equal((await call("DELETE", `/api/v1/blogposts/${postId}`, { token: tokens.ada })).status, 403);

    const put = await call("PUT", `/api/v1/blogposts/${postId}`, { token: tokens.olawale, body: { contents: "Hello again" } });
    assert.equal(put.status, 200);
    assert.equal(((await put.json()) as Blogpost).contents, "Hello again");
    const me = (await (await call("GET", "/api/v1/users/me", { token: tokens.olawale })).json()) as { blogposts: Blogpost[] };
    assert.deepEqual(me.blogposts.map((p) => p.id), [postId]);

    const deleted = await call("DELETE", `/api/v1/blogposts/${postId}`, { token: tokens.olawale });
    assert.equal(deleted.status, 204);
    const gone = await call("GET", `/api/v1/blogposts/${postId}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(await gone.json(), { error: "post not found" });
  });

  it("a token is refused after a day", async () => {
    now += 86_410_000;
    const res = await call("GET", "/api/v1/users/me", { token: tokens.olawale });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), { error: "token expired" });
  });
});

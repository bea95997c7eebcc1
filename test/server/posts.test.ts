import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { hashPassword } from "../../src/core/passwords/index.js";
import { openServerDatabase } from "../../src/server/server-database.js";
import { PASSWORD, bearer, login, makeApp, problem, register } from "./helpers.js";

function assertProblem(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(problem(response).code, code);
}

function fieldsOf(response: LightMyRequestResponse): string[] {
  return response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field);
}

interface PostBody {
  id: number;
  title: string;
  body: string;
  created_at: string;
  updated_at: string;
  author: { id: number; username: string };
  _links: { self: string; author: string };
}

describe("posts", () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let ada: { id: number };
  let bob: { id: number };
  let adaToken: string;
  let bobToken: string;
  let rootToken: string;

  before(async () => {
    // A temporary SQLite file, so the admin `root` can be inserted through the store (no API creates admins).
    const dir = await mkdtemp(join(tmpdir(), "tessera-posts-"));
    const url = `sqlite:${join(dir, "tessera.db")}`;
    app = await makeApp({ TESSERA_DATABASE_URL: url });
    close = async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    };
    const store = await openServerDatabase(url);
    await store.users.createUser({ username: "root", passwordHash: await hashPassword(PASSWORD), isAdmin: true, now: Date.now() });
    await store.close();
    ada = await register(app, "ada");
    bob = await register(app, "bob");
    adaToken = (await login(app, "ada")).access_token;
    bobToken = (await login(app, "bob")).access_token;
    rootToken = (await login(app, "root")).access_token;
  });
  after(() => close());

  function createPost(token: string, payload: Record<string, unknown>) {
    return app.inject({ method: "POST", url: "/api/posts", headers: bearer(token), payload });
  }

  async function newPost(token: string, title: string): Promise<PostBody> {
    const response = await createPost(token, { title, body: `Body of ${title}` });
    assert.equal(response.statusCode, 201, response.body);
    return response.json<PostBody>();
  }

  describe("POST /api/posts", () => {
    it("creates a post: 201, Location and the contract's shape", async () => {
      const response = await createPost(adaToken, { title: "Hello", body: "First post" });
      assert.equal(response.statusCode, 201);
      const post = response.json<PostBody>();
      assert.equal(response.headers.location, `/api/posts/${post.id}`);
      assert.deepEqual(Object.keys(post).sort(), ["_links", "author", "body", "created_at", "id", "title", "updated_at"]);
      assert.equal(post.title, "Hello");
      assert.equal(post.body, "First post");
      assert.deepEqual(post.author, { id: ada.id, username: "ada" });
      assert.deepEqual(post._links, { self: `/api/posts/${post.id}`, author: `/api/users/${ada.id}` });
      assert.match(post.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      assert.equal(post.updated_at, post.created_at);
    });

    it("answers 401 with a bare Bearer challenge without a token, with or without a body", async () => {
      for (const payload of [undefined, { title: "t", body: "b" }]) {
        const response = await app.inject({ method: "POST", url: "/api/posts", ...(payload ? { payload } : {}) });
        assertProblem(response, 401, "token_missing");
        assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera"');
      }
    });

    it("answers 403 insufficient_scope naming posts:write to a token without it", async () => {
      const readOnly = (await login(app, "ada", PASSWORD, "posts:read")).access_token;
      const response = await createPost(readOnly, { title: "t", body: "b" });
      assertProblem(response, 403, "insufficient_scope");
      assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera", error="insufficient_scope", scope="posts:write"');
    });

    it("answers 400 with the fields for missing, empty, blank, too long and unknown fields", async () => {
      const cases: [Record<string, unknown>, string[]][] = [
        [{}, ["body", "title"]],
        [{ title: "", body: "b" }, ["title"]],
        [{ title: "t", body: "" }, ["body"]],
        [{ title: "   ", body: "b" }, ["title"]],
        [{ title: "x".repeat(201), body: "b" }, ["title"]],
        [{ title: "t", body: "x".repeat(10_001) }, ["body"]],
        [{ title: "t", body: "b", author_id: bob.id }, ["author_id"]],
      ];
      for (const [payload, fields] of cases) {
        const response = await createPost(adaToken, payload);
        assertProblem(response, 400, "validation_failed");
        assert.deepEqual(fieldsOf(response).sort(), fields, JSON.stringify(payload).slice(0, 60));
      }
    });

    it("counts the post on its author", async () => {
      const before = (await app.inject({ method: "GET", url: `/api/users/${bob.id}`, headers: bearer(adaToken) })).json().post_count as number;
      await newPost(bobToken, "counted");
      const afterCount = (await app.inject({ method: "GET", url: `/api/users/${bob.id}`, headers: bearer(adaToken) })).json().post_count;
      assert.equal(afterCount, before + 1);
    });
  });

  describe("GET /api/posts/{id}", () => {
    it("answers 200 with the post", async () => {
      const post = await newPost(adaToken, "readable");
      const response = await app.inject({ method: "GET", url: `/api/posts/${post.id}`, headers: bearer(bobToken) });
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), post);
    });

    it("answers 404 for unknown and non-integer ids, 401 without a token", async () => {
      for (const id of ["99999", "abc", "1.0", "-3", "0"]) {
        assertProblem(await app.inject({ method: "GET", url: `/api/posts/${id}`, headers: bearer(adaToken) }), 404, "not_found");
      }
      assertProblem(await app.inject({ method: "GET", url: "/api/posts/1" }), 401, "token_missing");
    });

    it("answers 403 insufficient_scope to a token without posts:read", async () => {
      const usersOnly = (await login(app, "ada", PASSWORD, "users:read")).access_token;
      const response = await app.inject({ method: "GET", url: "/api/posts/1", headers: bearer(usersOnly) });
      assertProblem(response, 403, "insufficient_scope");
    });
  });

  describe("PATCH /api/posts/{id}", () => {
    it("lets the author change title and body", async () => {
      const post = await newPost(adaToken, "draft");
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await app.inject({
        method: "PATCH",
        url: `/api/posts/${post.id}`,
        headers: bearer(adaToken),
        payload: { title: "final" },
      });
      assert.equal(response.statusCode, 200);
      const updated = response.json<PostBody>();
      assert.equal(updated.title, "final");
      assert.equal(updated.body, post.body);
      assert.equal(updated.created_at, post.created_at);
      assert.ok(Date.parse(updated.updated_at) > Date.parse(post.updated_at));
      const both = await app.inject({
        method: "PATCH",
        url: `/api/posts/${post.id}`,
        headers: bearer(adaToken),
        payload: { title: "t2", body: "b2" },
      });
      assert.equal(both.json().title, "t2");
      assert.equal(both.json().body, "b2");
    });

    it("answers 403 forbidden to another user and leaves the post alone", async () => {
      const post = await newPost(adaToken, "mine");
      const response = await app.inject({ method: "PATCH", url: `/api/posts/${post.id}`, headers: bearer(bobToken), payload: { title: "yours" } });
      assertProblem(response, 403, "forbidden");
      const now = (await app.inject({ method: "GET", url: `/api/posts/${post.id}`, headers: bearer(bobToken) })).json();
      assert.equal(now.title, "mine");
    });

    it("lets an admin change anyone's post", async () => {
      const post = await newPost(adaToken, "moderate me");
      const response = await app.inject({ method: "PATCH", url: `/api/posts/${post.id}`, headers: bearer(rootToken), payload: { body: "[removed]" } });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().body, "[removed]");
      assert.deepEqual(response.json().author, { id: ada.id, username: "ada" });
    });

    it("answers 400 for invalid fields, 404 for unknown ids, 403 without posts:write", async () => {
      const post = await newPost(adaToken, "valid");
      const invalid = await app.inject({ method: "PATCH", url: `/api/posts/${post.id}`, headers: bearer(adaToken), payload: { title: "" } });
      assertProblem(invalid, 400, "validation_failed");
      assert.deepEqual(fieldsOf(invalid), ["title"]);
      const unknownField = await app.inject({ method: "PATCH", url: `/api/posts/${post.id}`, headers: bearer(adaToken), payload: { views: 1 } });
      assert.deepEqual(fieldsOf(unknownField), ["views"]);
      assertProblem(
        await app.inject({ method: "PATCH", url: "/api/posts/99999", headers: bearer(adaToken), payload: { title: "x" } }),
        404,
        "not_found",
      );
      assertProblem(await app.inject({ method: "PATCH", url: "/api/posts/abc", headers: bearer(adaToken), payload: { title: "x" } }), 404, "not_found");
      const readOnly = (await login(app, "ada", PASSWORD, "posts:read")).access_token;
      assertProblem(
        await app.inject({ method: "PATCH", url: `/api/posts/${post.id}`, headers: bearer(readOnly), payload: { title: "x" } }),
        403,
        "insufficient_scope",
      );
    });
  });

  describe("DELETE /api/posts/{id}", () => {
    it("answers 403 to another user, 204 to the author, then 404", async () => {
      const post = await newPost(adaToken, "ephemeral");
      assertProblem(await app.inject({ method: "DELETE", url: `/api/posts/${post.id}`, headers: bearer(bobToken) }), 403, "forbidden");
      const response = await app.inject({ method: "DELETE", url: `/api/posts/${post.id}`, headers: bearer(adaToken) });
      assert.equal(response.statusCode, 204);
      assert.equal(response.body, "");
      assertProblem(await app.inject({ method: "GET", url: `/api/posts/${post.id}`, headers: bearer(adaToken) }), 404, "not_found");
      assertProblem(await app.inject({ method: "DELETE", url: `/api/posts/${post.id}`, headers: bearer(adaToken) }), 404, "not_found");
    });

    it("lets an admin delete anyone's post", async () => {
      const post = await newPost(bobToken, "spam");
      assert.equal((await app.inject({ method: "DELETE", url: `/api/posts/${post.id}`, headers: bearer(rootToken) })).statusCode, 204);
    });

    it("answers 404 for non-integer ids and 401 without a token", async () => {
      assertProblem(await app.inject({ method: "DELETE", url: "/api/posts/abc", headers: bearer(adaToken) }), 404, "not_found");
      assertProblem(await app.inject({ method: "DELETE", url: "/api/posts/1" }), 401, "token_missing");
    });
  });

  describe("listing", () => {
    let carl: { id: number };
    let carlToken: string;
    const titles = ["c1", "c2", "c3", "c4", "c5"];
    before(async () => {
      carl = await register(app, "carl");
      carlToken = (await login(app, "carl")).access_token;
      for (const title of titles) {
        await newPost(carlToken, title);
      }
    });

    it("GET /api/users/{id}/posts pages one user's posts, newest first, with links on that path", async () => {
      const base = `/api/users/${carl.id}/posts`;
      const first = await app.inject({ method: "GET", url: `${base}?page=1&per_page=2`, headers: bearer(adaToken) });
      assert.equal(first.statusCode, 200);
      const page = first.json();
      assert.deepEqual(
        page.items.map((post: PostBody) => post.title),
        ["c5", "c4"],
      );
      assert.ok(page.items.every((post: PostBody) => post.author.id === carl.id));
      assert.deepEqual(page._meta, { page: 1, per_page: 2, total_pages: 3, total_items: 5 });
      assert.deepEqual(page._links, { self: `${base}?page=1&per_page=2`, next: `${base}?page=2&per_page=2`, prev: null });
      const last = (await app.inject({ method: "GET", url: `${base}?page=3&per_page=2`, headers: bearer(adaToken) })).json();
      assert.deepEqual(
        last.items.map((post: PostBody) => post.title),
        ["c1"],
      );
      assert.deepEqual(last._links, { self: `${base}?page=3&per_page=2`, next: null, prev: `${base}?page=2&per_page=2` });
    });

    it("GET /api/users/{id}/posts answers 404 for an unknown or non-integer user and an empty page for a user without posts", async () => {
      assertProblem(await app.inject({ method: "GET", url: "/api/users/99999/posts", headers: bearer(adaToken) }), 404, "not_found");
      assertProblem(await app.inject({ method: "GET", url: "/api/users/abc/posts", headers: bearer(adaToken) }), 404, "not_found");
      const root = (await app.inject({ method: "GET", url: "/api/me", headers: bearer(rootToken) })).json();
      const empty = (await app.inject({ method: "GET", url: `/api/users/${root.id}/posts`, headers: bearer(adaToken) })).json();
      assert.deepEqual(empty.items, []);
      assert.deepEqual(empty._meta, { page: 1, per_page: 10, total_pages: 1, total_items: 0 });
    });

    it("GET /api/posts pages every post, newest first", async () => {
      const first = await app.inject({ method: "GET", url: "/api/posts?per_page=3", headers: bearer(bobToken) });
      assert.equal(first.statusCode, 200);
      const page = first.json();
      assert.deepEqual(
        page.items.map((post: PostBody) => post.title),
        ["c5", "c4", "c3"],
      );
      assert.equal(page._meta.per_page, 3);
      assert.equal(page._links.self, "/api/posts?page=1&per_page=3");
      assert.equal(page._links.next, "/api/posts?page=2&per_page=3");
      assert.equal(page._links.prev, null);
      assert.equal(page._meta.total_pages, Math.ceil(page._meta.total_items / 3));
    });

    it("serves per_page over 100 as 100, answers 401 without a token, 403 without posts:read", async () => {
      const tooMany = await app.inject({ method: "GET", url: "/api/posts?per_page=101", headers: bearer(adaToken) });
      assert.equal(tooMany.statusCode, 200);
      assert.equal(tooMany.json()._meta.per_page, 100);
      assert.match(tooMany.json()._links.self, /per_page=100/);
      assertProblem(await app.inject({ method: "GET", url: "/api/posts" }), 401, "token_missing");
      const usersOnly = (await login(app, "ada", PASSWORD, "users:read")).access_token;
      assertProblem(await app.inject({ method: "GET", url: "/api/posts", headers: bearer(usersOnly) }), 403, "insufficient_scope");
      assertProblem(
        await app.inject({ method: "GET", url: `/api/users/${carl.id}/posts`, headers: bearer(usersOnly) }),
        403,
        "insufficient_scope",
      );
    });

    it("shows a post author's new username", async () => {
      await app.inject({ method: "PATCH", url: `/api/users/${carl.id}`, headers: bearer(carlToken), payload: { username: "carlos" } });
      const page = (await app.inject({ method: "GET", url: `/api/users/${carl.id}/posts`, headers: bearer(adaToken) })).json();
      assert.ok(page.items.every((post: PostBody) => post.author.username === "carlos"));
    });

    it("drops a deleted user's posts", async () => {
      const total = (await app.inject({ method: "GET", url: "/api/posts", headers: bearer(adaToken) })).json()._meta.total_items as number;
      assert.equal((await app.inject({ method: "DELETE", url: `/api/users/${carl.id}`, headers: bearer(carlToken) })).statusCode, 204);
      const after = (await app.inject({ method: "GET", url: "/api/posts", headers: bearer(adaToken) })).json()._meta.total_items;
      assert.equal(after, total - titles.length);
    });
  });
});

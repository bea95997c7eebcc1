import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { hashPassword } from "../../src/core/passwords/index.js";
import { openServerDatabase } from "../../src/server/server-database.js";
import { PASSWORD, basic, bearer, login, makeApp, problem, register } from "./helpers.js";

const NEW_PASSWORD = "a brand new passphrase 42";

function assertProblem(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(problem(response).code, code);
  assert.equal(problem(response).status, status);
}

function fieldsOf(response: LightMyRequestResponse): string[] {
  return response.json<{ errors: { field: string; message: string }[] }>().errors.map((error) => error.field);
}

/** A server on a temporary SQLite file with an admin `root` inserted through the store (no API creates admins). */
async function makeAppWithAdmin(): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-users-"));
  const url = `sqlite:${join(dir, "tessera.db")}`;
  const app = await makeApp({ TESSERA_DATABASE_URL: url });
  const store = await openServerDatabase(url);
  await store.users.createUser({ username: "root", passwordHash: await hashPassword(PASSWORD), isAdmin: true, now: Date.now() });
  await store.close();
  return {
    app,
    close: async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe("POST /api/users", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeApp();
  });
  after(() => app.close());

  it("creates a user: 201, Location, the user with their email and never a password or hash", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/users",
      payload: { username: "ada", password: PASSWORD, email: "ada@example.com", about_me: "I compute." },
    });
    assert.equal(response.statusCode, 201);
    assert.match(String(response.headers["content-type"]), /^application\/json/);
    const user = response.json();
    assert.equal(response.headers.location, `/api/users/${user.id}`);
    assert.equal(typeof user.id, "number");
    assert.equal(user.username, "ada");
    assert.equal(user.email, "ada@example.com");
    assert.equal(user.about_me, "I compute.");
    assert.equal(user.post_count, 0);
    assert.equal(user.last_seen, null);
    assert.ok(!Number.isNaN(Date.parse(user.created_at)));
    assert.match(user.created_at, /Z$/);
    assert.deepEqual(user._links, { self: `/api/users/${user.id}`, posts: `/api/users/${user.id}/posts` });
    assert.doesNotMatch(response.body, /password|hash|argon/i);
  });

  it("accepts the edges of the username rules and leaves email and about_me null when absent", async () => {
    const longest = "a".repeat(64);
    const response = await app.inject({ method: "POST", url: "/api/users", payload: { username: longest, password: PASSWORD } });
    assert.equal(response.statusCode, 201);
    assert.equal(response.json().email, null);
    assert.equal(response.json().about_me, null);
    const dotted = await app.inject({ method: "POST", url: "/api/users", payload: { username: "A.b_c-9", password: PASSWORD } });
    assert.equal(dotted.statusCode, 201);
    const single = await app.inject({ method: "POST", url: "/api/users", payload: { username: "x", password: PASSWORD } });
    assert.equal(single.statusCode, 201);
  });

  it("answers 409 username_taken for a taken username, case-insensitively", async () => {
    for (const username of ["ada", "ADA", "Ada"]) {
      const response = await app.inject({ method: "POST", url: "/api/users", payload: { username, password: PASSWORD } });
      assertProblem(response, 409, "username_taken");
    }
  });

  it("answers 400 validation_failed on username for a bad username", async () => {
    for (const username of ["", "a".repeat(65), "with space", "émile", "semi;colon", "slash/"]) {
      const response = await app.inject({ method: "POST", url: "/api/users", payload: { username, password: PASSWORD } });
      assertProblem(response, 400, "validation_failed");
      assert.deepEqual(new Set(fieldsOf(response)), new Set(["username"]), username);
    }
  });

  it("answers 400 on password for a short, long or common password", async () => {
    for (const password of ["short7!", "x".repeat(1025), "password123", "Password1", "iloveyou"]) {
      const response = await app.inject({ method: "POST", url: "/api/users", payload: { username: "newbie", password } });
      assertProblem(response, 400, "validation_failed");
      assert.deepEqual(fieldsOf(response), ["password"]);
      assert.doesNotMatch(response.body, new RegExp(password.slice(0, 20)));
    }
    const longest = await app.inject({ method: "POST", url: "/api/users", payload: { username: "longpass", password: "y".repeat(1024) } });
    assert.equal(longest.statusCode, 201);
  });

  it("answers 400 on email for a malformed email", async () => {
    const response = await app.inject({ method: "POST", url: "/api/users", payload: { username: "mailer", password: PASSWORD, email: "not an email" } });
    assertProblem(response, 400, "validation_failed");
    assert.deepEqual(fieldsOf(response), ["email"]);
  });

  it("names every missing field, and every bad field at once", async () => {
    const empty = await app.inject({ method: "POST", url: "/api/users", payload: {} });
    assertProblem(empty, 400, "validation_failed");
    assert.deepEqual(fieldsOf(empty).sort(), ["password", "username"]);
    const bad = await app.inject({ method: "POST", url: "/api/users", payload: { username: "a b", password: "short", email: "nope" } });
    assert.deepEqual(fieldsOf(bad).sort(), ["email", "password", "username"]);
  });

  it("refuses unknown fields (no mass assignment of is_admin)", async () => {
    const response = await app.inject({ method: "POST", url: "/api/users", payload: { username: "sneaky", password: PASSWORD, is_admin: true } });
    assertProblem(response, 400, "validation_failed");
    assert.deepEqual(fieldsOf(response), ["is_admin"]);
  });

  it("answers 400 for malformed JSON and 415 for a body that is not JSON", async () => {
    const malformed = await app.inject({
      method: "POST",
      url: "/api/users",
      headers: { "content-type": "application/json" },
      payload: '{"username": "x",',
    });
    assertProblem(malformed, 400, "validation_failed");
    const text = await app.inject({ method: "POST", url: "/api/users", headers: { "content-type": "text/plain" }, payload: "username=x" });
    assertProblem(text, 415, "unsupported_media_type");
  });

  it("lets the new user log in", async () => {
    const tokens = await login(app, "ada");
    assert.equal(tokens.token_type, "Bearer");
  });
});

describe("GET /api/users and /api/users/{id}", () => {
  let app: FastifyInstance;
  let ada: { id: number };
  let bob: { id: number };
  let token: string;
  before(async () => {
    app = await makeApp();
    ada = await register(app, "ada");
    bob = await register(app, "bob");
    await register(app, "cy");
    token = (await login(app, "ada")).access_token;
  });
  after(() => app.close());

  it("answers 401 token_missing with a bare Bearer challenge without a token", async () => {
    for (const url of ["/api/users", "/api/users/1"]) {
      const response = await app.inject({ method: "GET", url });
      assertProblem(response, 401, "token_missing");
      assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera"');
    }
  });

  it("answers 401 with an invalid_token challenge for a forged token", async () => {
    const response = await app.inject({ method: "GET", url: "/api/users", headers: bearer("eyJhbGciOiJub25lIn0.e30.") });
    assert.equal(response.statusCode, 401);
    assert.match(String(response.headers["www-authenticate"]), /^Bearer realm="tessera", error="invalid_token"/);
  });

  it("pages users with _meta and _links", async () => {
    const first = await app.inject({ method: "GET", url: "/api/users?page=1&per_page=2", headers: bearer(token) });
    assert.equal(first.statusCode, 200);
    const page = first.json();
    assert.deepEqual(
      page.items.map((user: { username: string }) => user.username),
      ["ada", "bob"],
    );
    assert.deepEqual(page._meta, { page: 1, per_page: 2, total_pages: 2, total_items: 3 });
    assert.deepEqual(page._links, { self: "/api/users?page=1&per_page=2", next: "/api/users?page=2&per_page=2", prev: null });

    const second = (await app.inject({ method: "GET", url: "/api/users?page=2&per_page=2", headers: bearer(token) })).json();
    assert.deepEqual(
      second.items.map((user: { username: string }) => user.username),
      ["cy"],
    );
    assert.deepEqual(second._links, { self: "/api/users?page=2&per_page=2", next: null, prev: "/api/users?page=1&per_page=2" });
  });

  it("defaults to page 1 of 10", async () => {
    const page = (await app.inject({ method: "GET", url: "/api/users", headers: bearer(token) })).json();
    assert.deepEqual(page._meta, { page: 1, per_page: 10, total_pages: 1, total_items: 3 });
    assert.deepEqual(page._links, { self: "/api/users?page=1&per_page=10", next: null, prev: null });
  });

  it("answers a page past the end with no items", async () => {
    const page = (await app.inject({ method: "GET", url: "/api/users?page=5&per_page=2", headers: bearer(token) })).json();
    assert.deepEqual(page.items, []);
    assert.equal(page._links.next, null);
  });

  it("answers 400 on the parameter for bad pages, and serves per_page over 100 as 100", async () => {
    const clamped = await app.inject({ method: "GET", url: "/api/users?per_page=101", headers: bearer(token) });
    assert.equal(clamped.statusCode, 200);
    assert.equal(clamped.json()._meta.per_page, 100);
    const cases: [string, string][] = [
      ["per_page=0", "per_page"],
      ["page=0", "page"],
      ["page=abc", "page"],
      ["page=99999999999999999999", "page"],
    ];
    for (const [query, field] of cases) {
      const response = await app.inject({ method: "GET", url: `/api/users?${query}`, headers: bearer(token) });
      assertProblem(response, 400, "validation_failed");
      assert.deepEqual(fieldsOf(response), [field], query);
    }
    const hundred = await app.inject({ method: "GET", url: "/api/users?per_page=100", headers: bearer(token) });
    assert.equal(hundred.statusCode, 200);
  });

  it("shows email only to the user themself", async () => {
    const page = (await app.inject({ method: "GET", url: "/api/users", headers: bearer(token) })).json();
    for (const user of page.items as { id: number; email?: unknown }[]) {
      assert.equal("email" in user, user.id === ada.id);
    }
    const other = (await app.inject({ method: "GET", url: `/api/users/${bob.id}`, headers: bearer(token) })).json();
    assert.equal(other.username, "bob");
    assert.equal("email" in other, false);
    const self = (await app.inject({ method: "GET", url: `/api/users/${ada.id}`, headers: bearer(token) })).json();
    assert.equal("email" in self, true);
    assert.ok(self.last_seen !== null, "logging in sets last_seen");
  });

  it("answers 404 not_found for unknown and non-integer ids", async () => {
    for (const id of ["9999", "abc", "1.5", "-1", "0", "1e3", "99999999999999999999"]) {
      const response = await app.inject({ method: "GET", url: `/api/users/${id}`, headers: bearer(token) });
      assertProblem(response, 404, "not_found");
    }
  });

  it("answers 403 insufficient_scope to a token without users:read", async () => {
    const narrow = (await login(app, "ada", PASSWORD, "posts:read")).access_token;
    for (const url of ["/api/users", `/api/users/${ada.id}`]) {
      const response = await app.inject({ method: "GET", url, headers: bearer(narrow) });
      assertProblem(response, 403, "insufficient_scope");
      assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera", error="insufficient_scope", scope="users:read"');
    }
  });
});

describe("PATCH /api/users/{id}", () => {
  let app: FastifyInstance;
  let ada: { id: number };
  let bob: { id: number };
  let adaToken: string;
  before(async () => {
    app = await makeApp();
    ada = await register(app, "ada");
    bob = await register(app, "bob");
    adaToken = (await login(app, "ada")).access_token;
  });
  after(() => app.close());

  function patch(id: number | string, payload: Record<string, unknown>, token = adaToken) {
    return app.inject({ method: "PATCH", url: `/api/users/${id}`, headers: bearer(token), payload });
  }

  it("changes username, email and about_me of the caller", async () => {
    const response = await patch(ada.id, { username: "Ada.L", email: "ada@example.com", about_me: "Analytical" });
    assert.equal(response.statusCode, 200);
    const user = response.json();
    assert.equal(user.username, "Ada.L");
    assert.equal(user.email, "ada@example.com");
    assert.equal(user.about_me, "Analytical");
    const cleared = (await patch(ada.id, { email: null, about_me: null })).json();
    assert.equal(cleared.email, null);
    assert.equal(cleared.about_me, null);
    assert.equal(cleared.username, "Ada.L");
    const restored = await patch(ada.id, { username: "ada" });
    assert.equal(restored.json().username, "ada");
  });

  it("answers 200 and changes nothing for an empty body", async () => {
    const response = await patch(ada.id, {});
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().username, "ada");
  });

  it("lets a user change the case of their own username", async () => {
    const response = await patch(ada.id, { username: "ADA" });
    assert.equal(response.statusCode, 200);
    await patch(ada.id, { username: "ada" });
  });

  it("answers 409 username_taken for another user's name, case-insensitively", async () => {
    const response = await patch(ada.id, { username: "BOB" });
    assertProblem(response, 409, "username_taken");
  });

  it("answers 403 forbidden for another user", async () => {
    const response = await patch(bob.id, { about_me: "hacked" });
    assertProblem(response, 403, "forbidden");
    const bobNow = (await app.inject({ method: "GET", url: `/api/users/${bob.id}`, headers: bearer(adaToken) })).json();
    assert.equal(bobNow.about_me, null);
  });

  it("answers 404 for unknown and non-integer ids", async () => {
    assertProblem(await patch(9999, { about_me: "x" }), 404, "not_found");
    assertProblem(await patch("abc", { about_me: "x" }), 404, "not_found");
  });

  it("answers 400 with the field for invalid values and unknown fields", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ username: "no spaces" }, "username"],
      [{ email: "nope" }, "email"],
      [{ about_me: "x".repeat(1001) }, "about_me"],
      [{ is_admin: true }, "is_admin"],
      [{ password: "short" }, "password"],
    ];
    for (const [payload, field] of cases) {
      const response = await patch(ada.id, payload);
      assertProblem(response, 400, "validation_failed");
      assert.ok(fieldsOf(response).includes(field), `${JSON.stringify(payload)}: ${response.body}`);
    }
  });

  it("answers 401 without a token and 403 insufficient_scope without users:write", async () => {
    const none = await app.inject({ method: "PATCH", url: `/api/users/${ada.id}`, payload: { about_me: "x" } });
    assertProblem(none, 401, "token_missing");
    assert.equal(none.headers["www-authenticate"], 'Bearer realm="tessera"');
    const readOnly = (await login(app, "ada", PASSWORD, "users:read")).access_token;
    const response = await patch(ada.id, { about_me: "x" }, readOnly);
    assertProblem(response, 403, "insufficient_scope");
    assert.match(String(response.headers["www-authenticate"]), /scope="users:write"/);
  });

  it("requires current_password to change the password", async () => {
    const response = await patch(ada.id, { password: NEW_PASSWORD });
    assertProblem(response, 400, "validation_failed");
    assert.deepEqual(fieldsOf(response), ["current_password"]);
  });

  it("answers 400 on current_password when it is wrong, and on password when the new one is common", async () => {
    const wrong = await patch(ada.id, { password: NEW_PASSWORD, current_password: "not my password" });
    assertProblem(wrong, 400, "validation_failed");
    assert.deepEqual(fieldsOf(wrong), ["current_password"]);
    const common = await patch(ada.id, { password: "password123", current_password: PASSWORD });
    assertProblem(common, 400, "validation_failed");
    assert.deepEqual(fieldsOf(common), ["password"]);
    // Nothing changed: the old password still logs in.
    await login(app, "ada");
  });

  it("changes the password and revokes every other session, keeping the current one", async () => {
    const current = await login(app, "ada");
    const other = await login(app, "ada");
    const response = await patch(ada.id, { password: NEW_PASSWORD, current_password: PASSWORD }, current.access_token);
    assert.equal(response.statusCode, 200);
    assert.doesNotMatch(response.body, /password/i);

    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(current.access_token) });
    assert.equal(me.statusCode, 200);
    const otherAccess = await app.inject({ method: "GET", url: "/api/me", headers: bearer(other.access_token) });
    assertProblem(otherAccess, 401, "token_revoked");
    assert.match(String(otherAccess.headers["www-authenticate"]), /error="invalid_token"/);
    const otherRefresh = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: other.refresh_token } });
    assert.equal(otherRefresh.statusCode, 401);
    const currentRefresh = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: current.refresh_token } });
    assert.equal(currentRefresh.statusCode, 200);

    const old = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("ada", PASSWORD) } });
    assertProblem(old, 401, "credentials_invalid");
    const fresh = await login(app, "ada", NEW_PASSWORD);
    adaToken = fresh.access_token;
  });
});

describe("DELETE /api/users/{id}", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeApp();
  });
  after(() => app.close());

  it("answers 403 for another user, 404 for unknown or non-integer ids, 401 without a token", async () => {
    const eve = await register(app, "eve");
    const victim = await register(app, "victim");
    const token = (await login(app, "eve")).access_token;
    assertProblem(await app.inject({ method: "DELETE", url: `/api/users/${victim.id}`, headers: bearer(token) }), 403, "forbidden");
    assertProblem(await app.inject({ method: "DELETE", url: "/api/users/9999", headers: bearer(token) }), 404, "not_found");
    assertProblem(await app.inject({ method: "DELETE", url: "/api/users/abc", headers: bearer(token) }), 404, "not_found");
    assertProblem(await app.inject({ method: "DELETE", url: `/api/users/${eve.id}` }), 401, "token_missing");
    const stillThere = await app.inject({ method: "GET", url: `/api/users/${victim.id}`, headers: bearer(token) });
    assert.equal(stillThere.statusCode, 200);
  });

  it("answers 403 insufficient_scope to a personal access token without users:write", async () => {
    await register(app, "patty");
    const session = (await login(app, "patty")).access_token;
    const me = (await app.inject({ method: "GET", url: "/api/me", headers: bearer(session) })).json();
    const pat = (
      await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(session), payload: { name: "reader", scope: "posts:read" } })
    ).json().token as string;
    const response = await app.inject({ method: "DELETE", url: `/api/users/${me.id}`, headers: bearer(pat) });
    assertProblem(response, 403, "insufficient_scope");
  });

  it("deletes the caller: 204, and every token of the user stops working at once", async () => {
    const user = await register(app, "leaver");
    const first = await login(app, "leaver");
    const second = await login(app, "leaver");
    const patResponse = await app.inject({
      method: "POST",
      url: "/api/me/tokens",
      headers: bearer(first.access_token),
      payload: { name: "ci", scope: "users:read posts:read" },
    });
    const pat = patResponse.json().token as string;
    assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(pat) })).statusCode, 200);

    const response = await app.inject({ method: "DELETE", url: `/api/users/${user.id}`, headers: bearer(first.access_token) });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body, "");

    for (const token of [first.access_token, second.access_token, pat]) {
      const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(token) });
      assert.equal(me.statusCode, 401);
      assert.match(String(me.headers["www-authenticate"]), /error="invalid_token"/);
    }
    for (const refreshToken of [first.refresh_token, second.refresh_token]) {
      const refreshed = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: refreshToken } });
      assert.equal(refreshed.statusCode, 401);
    }
    const relogin = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("leaver", PASSWORD) } });
    assertProblem(relogin, 401, "credentials_invalid");

    // The name is free again, and the new account is not hit by the old account's revocation.
    const again = await register(app, "leaver");
    assert.notEqual(again.id, user.id);
    const token = (await login(app, "leaver")).access_token;
    const gone = await app.inject({ method: "GET", url: `/api/users/${user.id}`, headers: bearer(token) });
    assertProblem(gone, 404, "not_found");
  });
});

describe("admins", () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let rootToken: string;
  before(async () => {
    ({ app, close } = await makeAppWithAdmin());
    rootToken = (await login(app, "root")).access_token;
  });
  after(() => close());

  it("may change another user, who keeps their email private", async () => {
    const bob = await register(app, "bob");
    const response = await app.inject({ method: "PATCH", url: `/api/users/${bob.id}`, headers: bearer(rootToken), payload: { about_me: "moderated" } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().about_me, "moderated");
    assert.equal("email" in response.json(), false);
  });

  it("may reset another user's password without knowing it, which logs that user out everywhere", async () => {
    const carl = await register(app, "carl");
    const carlTokens = await login(app, "carl");
    const response = await app.inject({ method: "PATCH", url: `/api/users/${carl.id}`, headers: bearer(rootToken), payload: { password: NEW_PASSWORD } });
    assert.equal(response.statusCode, 200);
    assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(carlTokens.access_token) }), 401, "token_revoked");
    await login(app, "carl", NEW_PASSWORD);
    assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(rootToken) })).statusCode, 200);
  });

  it("still needs current_password for their own password", async () => {
    const me = (await app.inject({ method: "GET", url: "/api/me", headers: bearer(rootToken) })).json();
    const response = await app.inject({ method: "PATCH", url: `/api/users/${me.id}`, headers: bearer(rootToken), payload: { password: NEW_PASSWORD } });
    assertProblem(response, 400, "validation_failed");
    assert.deepEqual(fieldsOf(response), ["current_password"]);
  });

  it("may delete another user", async () => {
    const dora = await register(app, "dora");
    const doraToken = (await login(app, "dora")).access_token;
    const response = await app.inject({ method: "DELETE", url: `/api/users/${dora.id}`, headers: bearer(rootToken) });
    assert.equal(response.statusCode, 204);
    assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(doraToken) }), 401, "token_revoked");
    assertProblem(await app.inject({ method: "GET", url: `/api/users/${dora.id}`, headers: bearer(rootToken) }), 404, "not_found");
  });
});

describe("wrong current passwords count against the account's login limit", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeApp({ TESSERA_LOGIN_LIMIT_ACCOUNT: "2/15m" });
  });
  after(() => app.close());

  it("answers 429 with Retry-After once the account's failures are used up", async () => {
    const user = await register(app, "guessme");
    const token = (await login(app, "guessme")).access_token;
    const attempt = () =>
      app.inject({
        method: "PATCH",
        url: `/api/users/${user.id}`,
        headers: bearer(token),
        payload: { password: NEW_PASSWORD, current_password: "a wrong guess" },
      });
    assertProblem(await attempt(), 400, "validation_failed");
    assertProblem(await attempt(), 400, "validation_failed");
    const limited = await attempt();
    assertProblem(limited, 429, "rate_limited");
    assert.match(String(limited.headers["retry-after"]), /^\d+$/);
  });
});

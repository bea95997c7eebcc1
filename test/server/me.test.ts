import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { PASSWORD, basic, bearer, login, makeApp, problem, register, type TokenResponse } from "./helpers.js";

const FULL_SCOPE = "users:read users:write posts:read posts:write";

function assertProblem(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(problem(response).code, code);
}

function fieldsOf(response: LightMyRequestResponse): string[] {
  return response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field);
}

async function loginAs(app: FastifyInstance, username: string, userAgent: string): Promise<TokenResponse> {
  const response = await app.inject({
    method: "POST",
    url: "/api/tokens",
    headers: { authorization: basic(username, PASSWORD), "user-agent": userAgent },
  });
  assert.equal(response.statusCode, 200, response.body);
  return response.json<TokenResponse>();
}

interface CreatedToken {
  id: number;
  name: string;
  scope: string;
  token: string;
  created_at: string;
  expires_at: string | null;
}

describe("/api/me", () => {
  let app: FastifyInstance;
  let ada: { id: number };
  let adaToken: string;
  before(async () => {
    app = await makeApp();
    ada = await register(app, "ada");
    await app.inject({ method: "PATCH", url: `/api/users/${ada.id}`, headers: bearer((await login(app, "ada")).access_token), payload: { email: "ada@example.com" } });
    adaToken = (await login(app, "ada")).access_token;
  });
  after(() => app.close());

  describe("GET /api/me", () => {
    it("answers 401 token_missing with a bare Bearer challenge without a token", async () => {
      const response = await app.inject({ method: "GET", url: "/api/me" });
      assertProblem(response, 401, "token_missing");
      assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera"');
    });

    it("answers 401 with an invalid_token challenge for a garbage or malformed PAT", async () => {
      for (const token of ["not-a-jwt", "tsr_pat_tooshort"]) {
        const response = await app.inject({ method: "GET", url: "/api/me", headers: bearer(token) });
        assert.equal(response.statusCode, 401);
        assert.match(String(response.headers["www-authenticate"]), /^Bearer realm="tessera", error="invalid_token"/);
      }
    });

    it("answers the user with email plus what the access token grants", async () => {
      const response = await app.inject({ method: "GET", url: "/api/me", headers: bearer(adaToken) });
      assert.equal(response.statusCode, 200);
      const me = response.json();
      assert.equal(me.id, ada.id);
      assert.equal(me.username, "ada");
      assert.equal(me.email, "ada@example.com");
      assert.equal(me.post_count, 0);
      assert.deepEqual(me._links, { self: `/api/users/${ada.id}`, posts: `/api/users/${ada.id}/posts` });
      assert.equal(me.auth.token_type, "access_token");
      assert.equal(me.auth.scope, FULL_SCOPE);
      assert.equal(typeof me.auth.session_id, "number");
      const expiresInMs = Date.parse(me.auth.expires_at) - Date.now();
      assert.ok(expiresInMs > 880_000 && expiresInMs <= 900_000, String(expiresInMs));
      assert.match(me.auth.expires_at, /Z$/);
    });

    it("needs users:read (a posts:read token cannot read the email), and shows the narrowed scope", async () => {
      const postsOnly = (await login(app, "ada", PASSWORD, "posts:read")).access_token;
      const refused = await app.inject({ method: "GET", url: "/api/me", headers: bearer(postsOnly) });
      assertProblem(refused, 403, "insufficient_scope");
      assert.match(String(refused.headers["www-authenticate"]), /scope="users:read"/);
      const narrow = (await login(app, "ada", PASSWORD, "users:read")).access_token;
      const response = await app.inject({ method: "GET", url: "/api/me", headers: bearer(narrow) });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().auth.scope, "users:read");
    });

    it("lets a read-only token read but not end sessions or revoke tokens (users:write)", async () => {
      const readOnly = (await login(app, "ada", PASSWORD, "users:read posts:read")).access_token;
      assert.equal((await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(readOnly) })).statusCode, 200);
      assert.equal((await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(readOnly) })).statusCode, 200);
      assertProblem(await app.inject({ method: "DELETE", url: "/api/me/sessions", headers: bearer(readOnly) }), 403, "insufficient_scope");
      assertProblem(await app.inject({ method: "DELETE", url: "/api/me/tokens/1", headers: bearer(readOnly) }), 403, "insufficient_scope");
      assertProblem(await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(readOnly), payload: { name: "x", scope: "posts:read" } }), 403, "insufficient_scope");
    });
  });

  describe("sessions", () => {
    let laptop: TokenResponse;
    let phone: TokenResponse;
    before(async () => {
      // Start from a clean slate: only these two sessions.
      await app.inject({ method: "DELETE", url: "/api/me/sessions", headers: bearer(adaToken) });
      laptop = await loginAs(app, "ada", "laptop-browser/1.0");
      phone = await loginAs(app, "ada", "phone-app/2.0");
    });

    it("GET /api/me/sessions lists the live sessions, marking the current one", async () => {
      const response = await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(laptop.access_token) });
      assert.equal(response.statusCode, 200);
      const sessions = response.json<{ id: number; created_at: string; last_used_at: string; user_agent: string; ip: string; current: boolean }[]>();
      assert.equal(sessions.length, 2);
      for (const session of sessions) {
        assert.deepEqual(Object.keys(session).sort(), ["created_at", "current", "explanation", "id", "ip", "last_used_at", "status", "user_agent"]);
        assert.ok(!Number.isNaN(Date.parse(session.created_at)));
        assert.ok(!Number.isNaN(Date.parse(session.last_used_at)));
        assert.equal(session.ip, "127.0.0.1");
      }
      const current = sessions.filter((session) => session.current);
      assert.equal(current.length, 1);
      assert.equal(current[0]?.user_agent, "laptop-browser/1.0");
      assert.deepEqual(sessions.map((session) => session.user_agent).sort(), ["laptop-browser/1.0", "phone-app/2.0"]);
    });

    it("DELETE /api/me/sessions/{id} answers 404 for unknown, non-integer and other users' sessions", async () => {
      await register(app, "mallory");
      const mallory = await login(app, "mallory");
      const mallorySessions = (await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(mallory.access_token) })).json();
      const theirs = mallorySessions[0].id as number;
      for (const id of [String(theirs), "99999", "abc"]) {
        const response = await app.inject({ method: "DELETE", url: `/api/me/sessions/${id}`, headers: bearer(laptop.access_token) });
        assertProblem(response, 404, "not_found");
      }
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(mallory.access_token) })).statusCode, 200);
    });

    it("DELETE /api/me/sessions/{id} ends that session: its access and refresh tokens stop working", async () => {
      const sessions = (await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(laptop.access_token) })).json();
      const phoneSession = sessions.find((session: { current: boolean }) => !session.current).id as number;
      const response = await app.inject({ method: "DELETE", url: `/api/me/sessions/${phoneSession}`, headers: bearer(laptop.access_token) });
      assert.equal(response.statusCode, 204);
      assert.equal(response.body, "");

      assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(phone.access_token) }), 401, "token_revoked");
      const refreshed = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: phone.refresh_token } });
      assert.equal(refreshed.statusCode, 401);
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(laptop.access_token) })).statusCode, 200);

      const left = (await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(laptop.access_token) })).json();
      assert.deepEqual(
        left.map((session: { id: number }) => session.id),
        sessions.filter((session: { id: number }) => session.id !== phoneSession).map((session: { id: number }) => session.id),
      );
      const again = await app.inject({ method: "DELETE", url: `/api/me/sessions/${phoneSession}`, headers: bearer(laptop.access_token) });
      assertProblem(again, 404, "not_found");
    });

    it("DELETE /api/me/sessions logs out everywhere, the current session included", async () => {
      const other = await loginAs(app, "ada", "tablet/3.0");
      const response = await app.inject({ method: "DELETE", url: "/api/me/sessions", headers: bearer(laptop.access_token) });
      assert.equal(response.statusCode, 204);
      for (const tokens of [laptop, other]) {
        assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(tokens.access_token) }), 401, "token_revoked");
        const refreshed = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: tokens.refresh_token } });
        assert.equal(refreshed.statusCode, 401);
      }
      const fresh = await login(app, "ada");
      const sessions = (await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(fresh.access_token) })).json();
      assert.equal(sessions.length, 1);
      adaToken = fresh.access_token;
    });

    it("answers 401 without a token", async () => {
      for (const [method, url] of [
        ["GET", "/api/me/sessions"],
        ["DELETE", "/api/me/sessions"],
        ["DELETE", "/api/me/sessions/1"],
      ] as const) {
        const response = await app.inject({ method, url });
        assertProblem(response, 401, "token_missing");
        assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera"');
      }
    });
  });

  describe("personal access tokens", () => {
    function createToken(token: string, payload: Record<string, unknown>) {
      return app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(token), payload });
    }

    it("POST /api/me/tokens creates a token, shown once, that works as a Bearer token on /api/me", async () => {
      const response = await createToken(adaToken, { name: "ci", scope: "posts:read users:read", expires_in: null });
      assert.equal(response.statusCode, 201);
      assert.equal(response.headers["cache-control"], "no-store");
      const created = response.json<CreatedToken>();
      assert.deepEqual(Object.keys(created).sort(), ["created_at", "expires_at", "id", "name", "scope", "token"]);
      assert.equal(created.name, "ci");
      assert.equal(created.scope, "posts:read users:read");
      assert.equal(created.expires_at, null, "no expiry only when asked for with expires_in: null");
      assert.match(created.token, /^tsr_pat_/);

      const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(created.token) });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().id, ada.id);
      assert.equal(me.json().email, "ada@example.com");
      assert.deepEqual(me.json().auth, { token_type: "personal_access_token", scope: "posts:read users:read", session_id: null, expires_at: null });
    });

    it("gives a PAT only its own scope", async () => {
      const pat = (await createToken(adaToken, { name: "reader", scope: "posts:read" })).json<CreatedToken>().token;
      assert.equal((await app.inject({ method: "GET", url: "/api/posts", headers: bearer(pat) })).statusCode, 200);
      const write = await app.inject({ method: "POST", url: "/api/posts", headers: bearer(pat), payload: { title: "t", body: "b" } });
      assertProblem(write, 403, "insufficient_scope");
      assert.match(String(write.headers["www-authenticate"]), /scope="posts:write"/);
      assertProblem(await app.inject({ method: "GET", url: "/api/users", headers: bearer(pat) }), 403, "insufficient_scope");
      assertProblem(await app.inject({ method: "DELETE", url: `/api/users/${ada.id}`, headers: bearer(pat) }), 403, "insufficient_scope");
    });

    it("expires after 90 days unless expires_in says otherwise", async () => {
      const created = (await createToken(adaToken, { name: "default", scope: "posts:read" })).json<CreatedToken>();
      assert.ok(created.expires_at !== null);
      assert.equal(Date.parse(created.expires_at) - Date.parse(created.created_at), 90 * 86400 * 1000);
    });

    it("sets expires_at from expires_in and refuses more than a year", async () => {
      const created = (await createToken(adaToken, { name: "week", scope: "users:read", expires_in: 7 * 86400 })).json<CreatedToken>();
      assert.ok(created.expires_at !== null);
      assert.equal(Date.parse(created.expires_at) - Date.parse(created.created_at), 7 * 86400 * 1000);
      const me = (await app.inject({ method: "GET", url: "/api/me", headers: bearer(created.token) })).json();
      assert.equal(me.auth.expires_at, created.expires_at);

      const year = await createToken(adaToken, { name: "year", scope: "posts:read", expires_in: 365 * 86400 });
      assert.equal(year.statusCode, 201);
      const tooLong = await createToken(adaToken, { name: "forever-ish", scope: "posts:read", expires_in: 365 * 86400 + 1 });
      assertProblem(tooLong, 400, "validation_failed");
      assert.deepEqual(fieldsOf(tooLong), ["expires_in"]);
      const zero = await createToken(adaToken, { name: "zero", scope: "posts:read", expires_in: 0 });
      assert.deepEqual(fieldsOf(zero), ["expires_in"]);
    });

    it("answers 400 on the field for a missing name or scope, a bad scope, or unknown fields", async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ scope: "posts:read" }, "name"],
        [{ name: "", scope: "posts:read" }, "name"],
        [{ name: "x" }, "scope"],
        [{ name: "x", scope: "" }, "scope"],
        [{ name: "x", scope: "   " }, "scope"],
        [{ name: "x", scope: 'posts:read "quoted"' }, "scope"],
        [{ name: "x", scope: "admin:everything" }, "scope"],
        [{ name: "x", scope: "posts:read", user_id: 2 }, "user_id"],
      ];
      for (const [payload, field] of cases) {
        const response = await createToken(adaToken, payload);
        assertProblem(response, 400, "validation_failed");
        assert.deepEqual(fieldsOf(response), [field], JSON.stringify(payload));
      }
    });

    it("refuses a scope beyond the presenting token's with 400 on scope", async () => {
      const narrow = (await login(app, "ada", PASSWORD, "posts:read users:write")).access_token;
      const response = await createToken(narrow, { name: "escalate", scope: "posts:read posts:write" });
      assertProblem(response, 400, "validation_failed");
      assert.deepEqual(fieldsOf(response), ["scope"]);
      const ok = await createToken(narrow, { name: "same", scope: "posts:read" });
      assert.equal(ok.statusCode, 201);
    });

    it("refuses to let a PAT mint PATs: 403 forbidden", async () => {
      const pat = (await createToken(adaToken, { name: "full", scope: FULL_SCOPE })).json<CreatedToken>().token;
      assert.ok(pat);
      const response = await createToken(pat, { name: "child", scope: "posts:read" });
      assertProblem(response, 403, "forbidden");
    });

    it("GET /api/me/tokens lists tokens without secrets, with last_used_at", async () => {
      const created = (await createToken(adaToken, { name: "listed", scope: "posts:read" })).json<CreatedToken>();
      const listBefore = (await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(adaToken) })).json();
      const entryBefore = listBefore.find((token: { id: number }) => token.id === created.id);
      assert.deepEqual(entryBefore, {
        id: created.id,
        name: "listed",
        scope: "posts:read",
        created_at: created.created_at,
        expires_at: created.expires_at,
        last_used_at: null,
        status: "active",
        explanation: entryBefore.explanation,
      });
      assert.match(entryBefore.explanation, /^Accepted; scope "posts:read", created \S+, expires in \d+ days, never used\.$/);

      assert.equal((await app.inject({ method: "GET", url: "/api/posts", headers: bearer(created.token) })).statusCode, 200);
      // The last-used stamp is written off the request path; give it a moment.
      let lastUsed: string | null = null;
      for (let attempt = 0; attempt < 20 && lastUsed === null; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        const list = (await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(adaToken) })).json();
        lastUsed = list.find((token: { id: number }) => token.id === created.id).last_used_at as string | null;
      }
      assert.ok(lastUsed !== null && !Number.isNaN(Date.parse(lastUsed)));

      const response = await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(adaToken) });
      assert.doesNotMatch(response.body, /tsr_pat_|"token"|hash/);
      const reader = (await createToken(adaToken, { name: "reader", scope: "users:read" })).json<CreatedToken>();
      const pat = await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(reader.token) });
      assert.equal(pat.statusCode, 200);
    });

    it("DELETE /api/me/tokens/{id} revokes the token at once: 401 token_revoked, and it leaves the list", async () => {
      const created = (await createToken(adaToken, { name: "doomed", scope: "users:read" })).json<CreatedToken>();
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(created.token) })).statusCode, 200);
      const response = await app.inject({ method: "DELETE", url: `/api/me/tokens/${created.id}`, headers: bearer(adaToken) });
      assert.equal(response.statusCode, 204);
      const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(created.token) });
      assertProblem(me, 401, "token_revoked");
      assert.match(String(me.headers["www-authenticate"]), /^Bearer realm="tessera", error="invalid_token"/);
      const list = (await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(adaToken) })).json();
      assert.ok(!list.some((token: { id: number }) => token.id === created.id));
      assertProblem(await app.inject({ method: "DELETE", url: `/api/me/tokens/${created.id}`, headers: bearer(adaToken) }), 404, "not_found");
    });

    it("DELETE /api/me/tokens/{id} answers 404 for another user's token and non-integer ids", async () => {
      await register(app, "bob");
      const bobToken = (await login(app, "bob")).access_token;
      const bobsPat = (await createToken(bobToken, { name: "bob's", scope: "users:read" })).json<CreatedToken>();
      assertProblem(await app.inject({ method: "DELETE", url: `/api/me/tokens/${bobsPat.id}`, headers: bearer(adaToken) }), 404, "not_found");
      assertProblem(await app.inject({ method: "DELETE", url: "/api/me/tokens/abc", headers: bearer(adaToken) }), 404, "not_found");
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(bobsPat.token) })).statusCode, 200);
    });

    it("a PAT may revoke itself", async () => {
      const created = (await createToken(adaToken, { name: "self-destruct", scope: "users:read users:write" })).json<CreatedToken>();
      const response = await app.inject({ method: "DELETE", url: `/api/me/tokens/${created.id}`, headers: bearer(created.token) });
      assert.equal(response.statusCode, 204);
      assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(created.token) }), 401, "token_revoked");
    });

    it("revokes PATs on a password change unless revoke_tokens is false; logging out everywhere leaves PATs", async () => {
      const doomed = (await createToken(adaToken, { name: "doomed-by-password", scope: "users:read" })).json<CreatedToken>();
      const changed = await app.inject({
        method: "PATCH",
        url: `/api/users/${ada.id}`,
        headers: bearer(adaToken),
        payload: { password: "another fine passphrase", current_password: PASSWORD },
      });
      assert.equal(changed.statusCode, 200);
      assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(doomed.token) }), 401, "token_revoked");

      const survivor = (await createToken(adaToken, { name: "survivor", scope: "users:read" })).json<CreatedToken>();
      const kept = await app.inject({
        method: "PATCH",
        url: `/api/users/${ada.id}`,
        headers: bearer(adaToken),
        payload: { password: PASSWORD, current_password: "another fine passphrase", revoke_tokens: false },
      });
      assert.equal(kept.statusCode, 200);
      assert.equal((await app.inject({ method: "DELETE", url: "/api/me/sessions", headers: bearer(adaToken) })).statusCode, 204);
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(survivor.token) })).statusCode, 200);
    });


    it("answers 401 without a token", async () => {
      for (const [method, url] of [
        ["GET", "/api/me/tokens"],
        ["POST", "/api/me/tokens"],
        ["DELETE", "/api/me/tokens/1"],
      ] as const) {
        const response = await app.inject({ method, url });
        assertProblem(response, 401, "token_missing");
        assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera"');
      }
    });
  });
});

describe("POST /api/me/tokens re-authentication", () => {
  let now = Date.now();
  let app: FastifyInstance;
  before(async () => {
    app = await makeApp({}, { clock: { now: () => now } });
    await register(app, "eve");
  });
  after(() => app.close());

  it("needs no password right after login, and the current password once the login is over 5 minutes old", async () => {
    const access = (await login(app, "eve")).access_token;
    const create = (payload: Record<string, unknown>) => app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(access), payload });
    assert.equal((await create({ name: "fresh", scope: "posts:read" })).statusCode, 201);
    now += 6 * 60_000;
    const missing = await create({ name: "stale", scope: "posts:read" });
    assertProblem(missing, 400, "validation_failed");
    assert.deepEqual(fieldsOf(missing), ["password"]);
    const wrong = await create({ name: "stale", scope: "posts:read", password: "not the password" });
    assertProblem(wrong, 400, "validation_failed");
    assert.deepEqual(fieldsOf(wrong), ["password"]);
    assert.equal((await create({ name: "stale", scope: "posts:read", password: PASSWORD })).statusCode, 201);
  });
});

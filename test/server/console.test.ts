// The console's server side over HTTP (inject): the page and its headers, the cookie-held
// console session (login, refresh, logout) and its CSRF defence, "log out everywhere else", and
// the admin API. The browser side is test/console/console-browser.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { PASSWORD, bearer, login, makeAppWithAdmin, problem, register } from "./helpers.js";

const HOST = "127.0.0.1:3000";
/** What a browser on the console's own page sends. */
const SAME_ORIGIN = { host: HOST, origin: `http://${HOST}`, "sec-fetch-site": "same-origin", "x-tessera-console": "1" };

interface ConsoleSession {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  user: { id: number; username: string; is_admin: boolean };
}

function assertProblem(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(problem(response).code, code);
}

/** The `name=value` of the console cookie a response sets, and its attributes. */
function setCookieOf(response: LightMyRequestResponse): { value: string; attributes: string[] } {
  const header = response.headers["set-cookie"];
  const line = Array.isArray(header) ? header.join("\n") : String(header ?? "");
  const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
  assert.match(pair, /^tessera_console_refresh=/, line);
  return { value: pair.slice("tessera_console_refresh=".length), attributes };
}

function consoleLogin(app: FastifyInstance, username: string, password = PASSWORD, headers: Record<string, string> = SAME_ORIGIN) {
  return app.inject({ method: "POST", url: "/api/console/session", headers, payload: { username, password } });
}

function withCookie(value: string): Record<string, string> {
  return { ...SAME_ORIGIN, cookie: `other=1; tessera_console_refresh=${value}` };
}

describe("the web console's server side", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeAppWithAdmin({ TESSERA_REFRESH_REUSE_GRACE: "0" });
    await register(app, "ada");
  });
  after(() => app.close());

  describe("GET /console", () => {
    it("serves the page with a strict CSP (no inline script, never framed) and its files", async () => {
      const page = await app.inject({ method: "GET", url: "/console" });
      assert.equal(page.statusCode, 200, page.body);
      assert.match(String(page.headers["content-type"]), /^text\/html/);
      const csp = String(page.headers["content-security-policy"]);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(page.headers["x-frame-options"], "DENY");
      assert.doesNotMatch(page.body, /<script>|<script [^>]*>[^<]/, "no inline script in the page");
      for (const src of page.body.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)) {
        const asset = await app.inject({ method: "GET", url: src[1] ?? "" });
        assert.equal(asset.statusCode, 200, src[1]);
        assert.match(String(asset.headers["content-security-policy"]), /frame-ancestors 'none'/);
      }
    });

    it("answers 404 problem+json for a file that is not one of the console's, paths outside it included", async () => {
      for (const url of ["/console/assets/nope.js", "/console/assets/..%2F..%2Fpackage.json", "/console/assets/console.js.map"]) {
        assertProblem(await app.inject({ method: "GET", url }), 404, "not_found");
      }
    });
  });

  describe("console sessions", () => {
    it("logs in: the access token in the body, the refresh token in an HttpOnly SameSite=Strict cookie scoped to the session path", async () => {
      const response = await consoleLogin(app, "ada");
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers["cache-control"], "no-store");
      const body = response.json<ConsoleSession & { refresh_token?: string }>();
      assert.equal(body.refresh_token, undefined, "the refresh token never reaches script");
      assert.equal(body.user.username, "ada");
      assert.equal(body.user.is_admin, false);
      const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(body.access_token) });
      assert.equal(me.statusCode, 200);
      const cookie = setCookieOf(response);
      assert.match(cookie.value, /^tsr_rt_/);
      assert.deepEqual(cookie.attributes.sort(), ["HttpOnly", "Max-Age=2592000", "Path=/api/console/session", "SameSite=Strict"]);
    });

    it("marks the cookie Secure except over plain http to a loopback host", async () => {
      for (const [host, secure] of [["127.0.0.1:3000", false], ["localhost:8080", false], ["auth.example.com", true]] as const) {
        const headers = { ...SAME_ORIGIN, host, origin: `http://${host}` };
        const response = await consoleLogin(app, "ada", PASSWORD, headers);
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(setCookieOf(response).attributes.includes("Secure"), secure, host);
      }
    });

    it("refuses a session call without the console header, from another origin or another site: 403, no cookie", async () => {
      const { "x-tessera-console": _header, ...withoutHeader } = SAME_ORIGIN;
      const refusals = [
        withoutHeader,
        { ...SAME_ORIGIN, origin: "https://evil.example" },
        { ...SAME_ORIGIN, origin: "http://127.0.0.1:3001" },
        { ...SAME_ORIGIN, "sec-fetch-site": "cross-site" },
        { ...SAME_ORIGIN, "sec-fetch-site": "same-site" },
      ];
      for (const headers of refusals) {
        const response = await consoleLogin(app, "ada", PASSWORD, headers);
        assertProblem(response, 403, "forbidden");
        assert.equal(response.headers["set-cookie"], undefined);
      }
      const cookie = setCookieOf(await consoleLogin(app, "ada")).value;
      for (const method of ["POST", "DELETE"] as const) {
        const url = method === "POST" ? "/api/console/session/refresh" : "/api/console/session";
        assertProblem(await app.inject({ method, url, headers: { ...withCookie(cookie), origin: "https://evil.example" } }), 403, "forbidden");
      }
      // Refused, so the session is untouched: the cookie still refreshes.
      assert.equal((await app.inject({ method: "POST", url: "/api/console/session/refresh", headers: withCookie(cookie) })).statusCode, 200);
    });

    it("answers a wrong password with 401 and no Basic challenge (no browser dialog), and sets no cookie", async () => {
      const response = await consoleLogin(app, "ada", "not the password");
      assertProblem(response, 401, "credentials_invalid");
      assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera"');
      assert.equal(response.headers["set-cookie"], undefined);
      assertProblem(await app.inject({ method: "POST", url: "/api/console/session", headers: SAME_ORIGIN, payload: { username: "ada" } }), 400, "validation_failed");
    });

    it("says whether the browser holds a session cookie, without touching it", async () => {
      const none = await app.inject({ method: "GET", url: "/api/console/session" });
      assert.deepEqual(none.json(), { signed_in: false });
      const cookie = setCookieOf(await consoleLogin(app, "ada")).value;
      assert.deepEqual((await app.inject({ method: "GET", url: "/api/console/session", headers: withCookie(cookie) })).json(), { signed_in: true });
      assert.equal((await app.inject({ method: "POST", url: "/api/console/session/refresh", headers: withCookie(cookie) })).statusCode, 200, "still unspent");
    });

    it("refresh rotates the cookie; the spent one then fails, ends the session and clears the cookie", async () => {
      const first = setCookieOf(await consoleLogin(app, "ada")).value;
      const refreshed = await app.inject({ method: "POST", url: "/api/console/session/refresh", headers: withCookie(first) });
      assert.equal(refreshed.statusCode, 200, refreshed.body);
      const body = refreshed.json<ConsoleSession>();
      assert.equal(body.user.username, "ada");
      const second = setCookieOf(refreshed).value;
      assert.notEqual(second, first);

      // The grace window is off here: presenting the spent token again is reuse, which ends
      // the whole session, the newer token included.
      const reused = await app.inject({ method: "POST", url: "/api/console/session/refresh", headers: withCookie(first) });
      assert.equal(reused.statusCode, 401);
      assert.match(String(reused.headers["www-authenticate"]), /error="invalid_token"/);
      assert.ok(setCookieOf(reused).attributes.includes("Max-Age=0"), "a failed refresh clears the cookie");
      assert.equal((await app.inject({ method: "POST", url: "/api/console/session/refresh", headers: withCookie(second) })).statusCode, 401);
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(body.access_token) })).statusCode, 401);

      const missing = await app.inject({ method: "POST", url: "/api/console/session/refresh", headers: SAME_ORIGIN });
      assertProblem(missing, 401, "token_missing");
    });

    it("logout ends the cookie's session (its access token too) and clears the cookie; twice is fine", async () => {
      const login = await consoleLogin(app, "ada");
      const cookie = setCookieOf(login).value;
      const access = login.json<ConsoleSession>().access_token;
      const out = await app.inject({ method: "DELETE", url: "/api/console/session", headers: withCookie(cookie) });
      assert.equal(out.statusCode, 204);
      assert.ok(setCookieOf(out).attributes.includes("Max-Age=0"));
      assertProblem(await app.inject({ method: "POST", url: "/api/console/session/refresh", headers: withCookie(cookie) }), 401, "token_revoked");
      assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(access) }), 401, "token_revoked");
      assert.equal((await app.inject({ method: "DELETE", url: "/api/console/session", headers: SAME_ORIGIN })).statusCode, 204);
    });
  });

  describe("DELETE /api/me/sessions/others", () => {
    it("ends every other session of the caller and keeps the caller's", async () => {
      const mine = await login(app, "ada");
      const other = await login(app, "ada");
      const response = await app.inject({ method: "DELETE", url: "/api/me/sessions/others", headers: bearer(mine.access_token) });
      assert.equal(response.statusCode, 204);
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(mine.access_token) })).statusCode, 200);
      assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(other.access_token) }), 401, "token_revoked");
      const sessions = (await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(mine.access_token) })).json<{ current: boolean }[]>();
      assert.deepEqual(sessions.map((session) => session.current), [true]);
    });

    it("refuses a personal access token (it has no session to keep)", async () => {
      const access = (await login(app, "ada")).access_token;
      const created = await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(access), payload: { name: "ci", scope: "users:read users:write" } });
      const pat = created.json<{ token: string }>().token;
      assertProblem(await app.inject({ method: "DELETE", url: "/api/me/sessions/others", headers: bearer(pat) }), 403, "forbidden");
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(access) })).statusCode, 200);
    });
  });

  describe("the admin API", () => {
    let root: string;
    let adaToken: string;
    before(async () => {
      root = (await login(app, "root")).access_token;
      adaToken = (await login(app, "ada")).access_token;
    });

    it("is for admins only: 403 for anyone else, 401 without a token", async () => {
      for (const [method, url] of [
        ["GET", "/api/admin/users"],
        ["GET", "/api/admin/users/1"],
        ["GET", "/api/admin/users/1/sessions"],
        ["GET", "/api/admin/users/1/tokens"],
        ["POST", "/api/admin/users/1/revoke-all"],
        ["GET", "/api/admin/keys"],
        ["POST", "/api/admin/keys/rotate"],
      ] as const) {
        assertProblem(await app.inject({ method, url, headers: bearer(adaToken) }), 403, "forbidden");
        assertProblem(await app.inject({ method, url }), 401, "token_missing");
      }
    });

    it("finds users by username or email, case-insensitively, with emails, a page at a time", async () => {
      for (const name of ["grace", "gracie", "bob"]) await register(app, name);
      const grace = await login(app, "grace");
      const me = (await app.inject({ method: "GET", url: "/api/me", headers: bearer(grace.access_token) })).json<{ id: number }>();
      await app.inject({ method: "PATCH", url: `/api/users/${me.id}`, headers: bearer(grace.access_token), payload: { email: "hopper@navy.example" } });

      const byEmail = await app.inject({ method: "GET", url: "/api/admin/users?q=NAVY", headers: bearer(root) });
      assert.equal(byEmail.statusCode, 200, byEmail.body);
      const found = byEmail.json<{ items: { username: string; email: string | null; is_admin: boolean }[] }>();
      assert.deepEqual(found.items, [{ ...found.items[0], username: "grace", email: "hopper@navy.example", is_admin: false }]);

      const first = await app.inject({ method: "GET", url: "/api/admin/users?q=grac&per_page=1", headers: bearer(root) });
      const page = first.json<{ items: { username: string }[]; _meta: { total_items: number; total_pages: number }; _links: { next: string | null; prev: string | null } }>();
      assert.deepEqual(page.items.map((user) => user.username), ["grace"]);
      assert.equal(page._meta.total_items, 2);
      assert.equal(page._links.next, "/api/admin/users?page=2&per_page=1&q=grac");
      const second = await app.inject({ method: "GET", url: page._links.next ?? "", headers: bearer(root) });
      assert.deepEqual(second.json<{ items: { username: string }[] }>().items.map((user) => user.username), ["gracie"]);

      const all = (await app.inject({ method: "GET", url: "/api/admin/users", headers: bearer(root) })).json<{ _meta: { total_items: number } }>();
      assert.equal(all._meta.total_items, 5, "root, ada, grace, gracie, bob");
    });

    it("shows a user's sessions and tokens, and revoke-all ends every one of them", async () => {
      const target = await register(app, "carol");
      const session = await login(app, "carol");
      const pat = (
        await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(session.access_token), payload: { name: "backup", scope: "posts:read" } })
      ).json<{ token: string }>().token;
      const sessions = await app.inject({ method: "GET", url: `/api/admin/users/${target.id}/sessions`, headers: bearer(root) });
      assert.equal(sessions.json<unknown[]>().length, 1);
      const tokens = await app.inject({ method: "GET", url: `/api/admin/users/${target.id}/tokens`, headers: bearer(root) });
      assert.deepEqual(tokens.json<{ name: string }[]>().map((token) => token.name), ["backup"]);
      assert.doesNotMatch(tokens.body, /tsr_pat_/, "never the secret");

      const revoked = await app.inject({ method: "POST", url: `/api/admin/users/${target.id}/revoke-all`, headers: bearer(root) });
      assert.deepEqual(revoked.json(), { sessions_revoked: 1, tokens_revoked: 1 });
      assertProblem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(session.access_token) }), 401, "token_revoked");
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(pat) })).statusCode, 401);
      assertProblem(await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: session.refresh_token } }), 401, "token_revoked");
      assertProblem(await app.inject({ method: "GET", url: "/api/admin/users/999999/sessions", headers: bearer(root) }), 404, "not_found");
    });

    it("lists the signing keys and rotates: the new key signs, the old one still verifies", async () => {
      const before = (await app.inject({ method: "GET", url: "/api/admin/keys", headers: bearer(root) })).json<{ kid: string; status: string }[]>();
      assert.equal(before[0]?.status, "signing");
      assert.doesNotMatch(JSON.stringify(before), /"d"|private/i, "never a private part");
      const rotated = await app.inject({ method: "POST", url: "/api/admin/keys/rotate", headers: bearer(root) });
      assert.equal(rotated.statusCode, 201, rotated.body);
      const created = rotated.json<{ kid: string; status: string }>();
      assert.equal(created.status, "signing");
      const after = (await app.inject({ method: "GET", url: "/api/admin/keys", headers: bearer(root) })).json<{ kid: string; status: string }[]>();
      assert.deepEqual(after.slice(0, 2).map((key) => [key.kid, key.status]), [[created.kid, "signing"], [before[0]?.kid, "retired"]]);
      // The admin's token, signed by the old key, still works.
      assert.equal((await app.inject({ method: "GET", url: "/api/admin/keys", headers: bearer(root) })).statusCode, 200);
    });

    it("refuses rotation and revoke-all to an admin's personal access token", async () => {
      const pat = (
        await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(root), payload: { name: "ops", scope: "users:read users:write", password: PASSWORD } })
      ).json<{ token: string }>().token;
      assertProblem(await app.inject({ method: "POST", url: "/api/admin/keys/rotate", headers: bearer(pat) }), 403, "forbidden");
      assertProblem(await app.inject({ method: "POST", url: "/api/admin/users/1/revoke-all", headers: bearer(pat) }), 403, "forbidden");
      assert.equal((await app.inject({ method: "GET", url: "/api/admin/users", headers: bearer(pat) })).statusCode, 200);
    });
  });
});

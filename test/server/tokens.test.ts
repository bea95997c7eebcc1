import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { PASSWORD, basic, bearer, login, makeApp, problem, register } from "./helpers.js";

describe("POST /api/tokens", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeApp();
    await register(app, "ada");
  });
  after(() => app.close());

  it("logs in with HTTP Basic and returns a pair with no-store", async () => {
    const response = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("ada", PASSWORD) } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["cache-control"], "no-store");
    const body = response.json();
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 900);
    assert.match(body.refresh_token, /^tsr_rt_[A-Za-z0-9_-]{49}$/);
    assert.equal(body.scope, "users:read users:write posts:read posts:write", "an ordinary user holds no tokens:introspect");
    const [header, payload] = (body.access_token as string).split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    assert.equal(header.typ, "at+jwt");
    assert.equal(header.alg, "EdDSA");
    assert.ok(header.kid);
    assert.equal(payload.sub, "1");
    assert.equal(payload.aud, "tessera");
    assert.equal(payload.iss, "http://127.0.0.1:3000");
    assert.equal(payload.exp - payload.iat, 900);
    for (const claim of ["nbf", "jti", "scope", "sid"]) assert.ok(claim in payload, claim);
  });

  it("logs in with a JSON body and a narrower scope", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/api/tokens",
      payload: { username: "ADA", password: PASSWORD, scope: "posts:read" },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().scope, "posts:read");
  });

  it("refuses a scope the user does not have", async () => {
    const response = await app.inject({ method: "POST", url: "/api/tokens", payload: { username: "ada", password: PASSWORD, scope: "admin:all" } });
    assert.equal(response.statusCode, 400);
    assert.equal(problem(response).code, "validation_failed");
  });

  it("answers a wrong password and an unknown user alike: 401 credentials_invalid with a Basic challenge", async () => {
    const wrong = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("ada", "wrong password!") } });
    const unknown = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("nobody", "wrong password!") } });
    for (const response of [wrong, unknown]) {
      assert.equal(response.statusCode, 401);
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      assert.equal(response.headers["www-authenticate"], 'Basic realm="tessera", charset="UTF-8"');
      assert.equal(problem(response).code, "credentials_invalid");
    }
    assert.equal(wrong.json().detail, unknown.json().detail);
  });

  it("answers malformed Basic credentials 401 credentials_invalid with a Basic challenge", async () => {
    const noColon = `Basic ${Buffer.from("adanocolon").toString("base64")}`;
    for (const authorization of ["Basic !!!", noColon, "Basic"]) {
      const response = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization } });
      assert.equal(response.statusCode, 401, authorization);
      assert.equal(problem(response).code, "credentials_invalid");
      assert.equal(response.headers["www-authenticate"], 'Basic realm="tessera", charset="UTF-8"');
    }
  });

  it("asks for credentials when none are sent", async () => {
    const response = await app.inject({ method: "POST", url: "/api/tokens" });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers["www-authenticate"], 'Basic realm="tessera", charset="UTF-8"');
    assert.equal(problem(response).code, "token_missing");
  });
});

describe("refresh and revoke", () => {
  let app: FastifyInstance;
  // Token decisions follow this clock: the grace window passes by moving it, not by sleeping.
  let now = Date.now();
  before(async () => {
    app = await makeApp({ TESSERA_REFRESH_REUSE_GRACE: "1s" }, { clock: { now: () => now } });
    await register(app, "bob");
  });
  after(() => app.close());

  it("rotates the refresh token; the old one is spent", async () => {
    const first = await login(app, "bob");
    const refreshed = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: first.refresh_token } });
    assert.equal(refreshed.statusCode, 200);
    assert.equal(refreshed.headers["cache-control"], "no-store");
    const pair = refreshed.json();
    assert.notEqual(pair.refresh_token, first.refresh_token);
    assert.notEqual(pair.access_token, first.access_token);
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(pair.access_token) });
    assert.equal(me.statusCode, 200);
  });

  it("reuse after the grace window revokes the whole session", async () => {
    const first = await login(app, "bob");
    const second = (await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: first.refresh_token } })).json();
    now += 1_100;
    const reuse = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: first.refresh_token } });
    assert.equal(reuse.statusCode, 401);
    assert.equal(problem(reuse).code, "token_revoked");
    assert.match(String(reuse.headers["www-authenticate"]), /^Bearer realm="tessera", error="invalid_token"/);
    // Every token descended from that login is dead.
    const next = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: second.refresh_token } });
    assert.equal(next.statusCode, 401);
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(second.access_token) });
    assert.equal(me.statusCode, 401);
    assert.equal(problem(me).code, "token_revoked");
    const original = await app.inject({ method: "GET", url: "/api/me", headers: bearer(first.access_token) });
    assert.equal(problem(original).code, "token_revoked");
  });

  it("inside the grace window a repeated refresh gets a valid pair and revokes nothing", async () => {
    const first = await login(app, "bob");
    const a = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: first.refresh_token } });
    const b = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: first.refresh_token } });
    assert.equal(a.statusCode, 200);
    assert.equal(b.statusCode, 200);
    assert.equal(a.json().refresh_token, b.json().refresh_token);
    const next = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: b.json().refresh_token } });
    assert.equal(next.statusCode, 200);
  });

  it("inside the grace window, a token whose successor is already spent is reuse: the session is revoked", async () => {
    const first = await login(app, "bob");
    const refresh = (token: string) => app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: token } });
    const second = await refresh(first.refresh_token);
    assert.equal(second.statusCode, 200);
    const third = await refresh(second.json().refresh_token);
    assert.equal(third.statusCode, 200);
    // The chain has moved past the first token's successor: no valid pair exists for it.
    const replay = await refresh(first.refresh_token);
    assert.equal(replay.statusCode, 401);
    assert.equal(problem(replay).code, "token_revoked");
    assert.equal((await refresh(third.json().refresh_token)).statusCode, 401);
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(third.json().access_token) });
    assert.equal(problem(me).code, "token_revoked");
  });

  it("rejects malformed and unknown refresh tokens with their codes", async () => {
    const malformed = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: "tsr_rt_nope" } });
    assert.equal(malformed.statusCode, 401);
    assert.equal(problem(malformed).code, "token_malformed");
    const missing = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: {} });
    assert.equal(missing.statusCode, 400);
    assert.equal(problem(missing).code, "validation_failed");
    assert.deepEqual(missing.json().errors.map((error: { field: string }) => error.field), ["refresh_token"]);
  });

  it("DELETE /api/tokens revokes the access token and its session", async () => {
    const pair = await login(app, "bob");
    const response = await app.inject({ method: "DELETE", url: "/api/tokens", headers: bearer(pair.access_token) });
    assert.equal(response.statusCode, 204);
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(pair.access_token) });
    assert.equal(me.statusCode, 401);
    assert.equal(problem(me).code, "token_revoked");
    assert.match(String(me.headers["www-authenticate"]), /error="invalid_token"/);
    const refresh = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: pair.refresh_token } });
    assert.equal(refresh.statusCode, 401);
    assert.equal(problem(refresh).code, "token_revoked");
  });

  it("DELETE /api/tokens without a token is 401 with a plain Bearer challenge", async () => {
    const response = await app.inject({ method: "DELETE", url: "/api/tokens" });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers["www-authenticate"], 'Bearer realm="tessera"');
    assert.equal(problem(response).code, "token_missing");
  });
});

describe("with the verified-token cache off", () => {
  it("still verifies, expires and revokes tokens", async () => {
    const app = await makeApp({ TESSERA_TOKEN_CACHE_SIZE: "0" });
    try {
      await register(app, "lee");
      const pair = await login(app, "lee");
      assert.equal((await app.inject({ method: "GET", url: "/api/me", headers: bearer(pair.access_token) })).statusCode, 200);
      assert.equal((await app.inject({ method: "DELETE", url: "/api/tokens", headers: bearer(pair.access_token) })).statusCode, 204);
      assert.equal(problem(await app.inject({ method: "GET", url: "/api/me", headers: bearer(pair.access_token) })).code, "token_revoked");
    } finally {
      await app.close();
    }
  });
});

describe("NUL characters", () => {
  it("are refused in JSON bodies, OAuth forms and Basic usernames without reaching the database", async () => {
    const app = await makeApp();
    try {
      await register(app, "nul");
      const body = await app.inject({ method: "POST", url: "/api/users", headers: { "content-type": "application/json" }, payload: '{"username":"a\\u0000b","password":"correct horse battery staple"}' });
      assert.equal(body.statusCode, 400);
      assert.equal(problem(body).code, "validation_failed");
      // Control characters make the Basic credentials malformed (RFC 7617 / RFC 9110 field syntax):
      // bad credentials, 401 with the Basic challenge.
      const basicLogin = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("nu\u0000l", PASSWORD) } });
      assert.equal(basicLogin.statusCode, 401);
      assert.equal(problem(basicLogin).code, "credentials_invalid");
      assert.equal(basicLogin.headers["www-authenticate"], 'Basic realm="tessera", charset="UTF-8"');
      const form = await app.inject({
        method: "POST",
        url: "/oauth/token",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: `grant_type=password&username=nu%00l&password=${encodeURIComponent(PASSWORD)}`,
      });
      assert.equal(form.statusCode, 400);
      assert.equal(form.json().error, "invalid_request");
    } finally {
      await app.close();
    }
  });
});

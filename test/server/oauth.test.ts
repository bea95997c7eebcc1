import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { PASSWORD, bearer, login, makeAppWithAdmin, problem, register } from "./helpers.js";

const form = { "content-type": "application/x-www-form-urlencoded" };

describe("OAuth endpoints", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeAppWithAdmin();
    await register(app, "carol");
  });
  after(() => app.close());

  it("password grant as an RFC 6749 form", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: form,
      payload: `grant_type=password&username=carol&password=${encodeURIComponent(PASSWORD)}&scope=posts%3Aread`,
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["cache-control"], "no-store");
    const body = response.json();
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.scope, "posts:read");
    assert.ok(body.access_token && body.refresh_token && body.expires_in);
  });

  it("refresh_token grant as JSON", async () => {
    const pair = await login(app, "carol");
    const response = await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "refresh_token", refresh_token: pair.refresh_token } });
    assert.equal(response.statusCode, 200);
    assert.notEqual(response.json().refresh_token, pair.refresh_token);
  });

  it("a refresh may narrow the scope; asking for more is invalid_scope and does not spend the token", async () => {
    const pair = await login(app, "carol", PASSWORD, "posts:read posts:write");
    const wider = await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "refresh_token", refresh_token: pair.refresh_token, scope: "users:write" } });
    assert.equal(wider.statusCode, 400);
    assert.equal(wider.json().error, "invalid_scope");
    const narrower = await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "refresh_token", refresh_token: pair.refresh_token, scope: "posts:read" } });
    assert.equal(narrower.statusCode, 200, "the refresh token survived the refused request");
    assert.equal(narrower.json().scope, "posts:read");
    const payload = JSON.parse(Buffer.from(narrower.json().access_token.split(".")[1], "base64url").toString());
    assert.equal(payload.scope, "posts:read");
  });

  it("client authentication with a password grant fails with 401 invalid_client", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: { ...form, authorization: "Basic " + Buffer.from("app:secret").toString("base64") },
      payload: `grant_type=password&username=carol&password=${encodeURIComponent(PASSWORD)}`,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, "invalid_client");
    assert.equal(response.headers["www-authenticate"], 'Basic realm="tessera", charset="UTF-8"');
    const secret = await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "password", username: "carol", password: PASSWORD, client_id: "x", client_secret: "y" } });
    assert.equal(secret.statusCode, 401);
    const publicClient = await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "password", username: "carol", password: PASSWORD, client_id: "x" } });
    assert.equal(publicClient.statusCode, 200, "a public client naming itself is fine");
  });

  it("an unreadable body is invalid_request in the OAuth shape; another media type is 415", async () => {
    for (const request of [
      { headers: { "content-type": "application/json" }, payload: "{nope" },
      { headers: { "content-type": "application/json" }, payload: '{"grant_type": 5}' },
    ]) {
      const response = await app.inject({ method: "POST", url: "/oauth/token", ...request });
      assert.equal(response.statusCode, 400, request.payload);
      assert.equal(response.json().error, "invalid_request");
      assert.equal(response.headers["cache-control"], "no-store");
    }
    for (const url of ["/oauth/token", "/oauth/revoke"]) {
      const text = await app.inject({ method: "POST", url, headers: { "content-type": "text/plain" }, payload: "grant_type=password" });
      assert.equal(text.statusCode, 415, "neither a form nor JSON");
      assert.equal(problem(text).code, "unsupported_media_type");
      assert.equal(text.json().error, "invalid_request");
    }
    const empty = await app.inject({ method: "POST", url: "/oauth/token" });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error, "invalid_request");
  });

  it("errors follow RFC 6749 5.2 and carry a problem code", async () => {
    const wrong = await app.inject({ method: "POST", url: "/oauth/token", headers: form, payload: "grant_type=password&username=carol&password=nope-nope" });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, "invalid_grant");
    assert.equal(problem(wrong).code, "invalid_grant");

    const unknownGrant = await app.inject({ method: "POST", url: "/oauth/token", headers: form, payload: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code" });
    assert.equal(unknownGrant.statusCode, 400);
    assert.equal(unknownGrant.json().error, "unsupported_grant_type");

    const anonymousClient = await app.inject({ method: "POST", url: "/oauth/token", headers: form, payload: "grant_type=client_credentials" });
    assert.equal(anonymousClient.statusCode, 401, "client_credentials needs client authentication");
    assert.equal(anonymousClient.json().error, "invalid_client");

    const noGrant = await app.inject({ method: "POST", url: "/oauth/token", headers: form, payload: "username=carol" });
    assert.equal(noGrant.statusCode, 400);
    assert.equal(noGrant.json().error, "invalid_request");

    const badRefresh = await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "refresh_token", refresh_token: "tsr_rt_x" } });
    assert.equal(badRefresh.statusCode, 400);
    assert.equal(badRefresh.json().error, "invalid_grant");
  });

  it("revoke answers 200 for known and unknown tokens, and a revoked refresh token is dead", async () => {
    const pair = await login(app, "carol");
    const unknown = await app.inject({ method: "POST", url: "/oauth/revoke", headers: form, payload: "token=not-a-token" });
    assert.equal(unknown.statusCode, 200);
    const revoked = await app.inject({ method: "POST", url: "/oauth/revoke", headers: form, payload: `token=${pair.refresh_token}&token_type_hint=refresh_token` });
    assert.equal(revoked.statusCode, 200);
    const refresh = await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: pair.refresh_token } });
    assert.equal(refresh.statusCode, 401);
    // Revoking the refresh token takes its session, hence its access tokens.
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(pair.access_token) });
    assert.equal(me.statusCode, 401);
  });

  it("revoking an access token kills it", async () => {
    const pair = await login(app, "carol");
    await app.inject({ method: "POST", url: "/oauth/revoke", payload: { token: pair.access_token } });
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(pair.access_token) });
    assert.equal(problem(me).code, "token_revoked");
  });

  it("introspection needs tokens:introspect (an admin's, not an ordinary user's) and reports active tokens", async () => {
    const caller = await login(app, "root");
    const subject = await login(app, "carol", PASSWORD, "posts:read");
    const ordinary = await login(app, "carol");
    assert.equal(ordinary.scope.includes("tokens:introspect"), false);
    assert.equal((await app.inject({ method: "POST", url: "/oauth/introspect", headers: bearer(ordinary.access_token), payload: { token: subject.access_token } })).statusCode, 403);
    const active = await app.inject({ method: "POST", url: "/oauth/introspect", headers: { ...bearer(caller.access_token), ...form }, payload: `token=${subject.access_token}` });
    assert.equal(active.statusCode, 200);
    const body = active.json();
    assert.equal(body.active, true);
    assert.equal(body.sub, String((await app.inject({ method: "GET", url: "/api/me", headers: bearer(ordinary.access_token) })).json().id));
    assert.equal(body.username, "carol");
    assert.equal(body.scope, "posts:read");
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.token_kind, "access_token");
    assert.equal(typeof body.sid, "number");
    for (const claim of ["exp", "iat", "jti"]) assert.ok(claim in body, claim);

    const inactive = await app.inject({ method: "POST", url: "/oauth/introspect", headers: bearer(caller.access_token), payload: { token: "garbage" } });
    assert.deepEqual(inactive.json(), { active: false });

    const forbidden = await app.inject({ method: "POST", url: "/oauth/introspect", headers: bearer(subject.access_token), payload: { token: caller.access_token } });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(problem(forbidden).code, "insufficient_scope");
    assert.equal(forbidden.headers["www-authenticate"], 'Bearer realm="tessera", error="insufficient_scope", scope="tokens:introspect"');

    const anonymous = await app.inject({ method: "POST", url: "/oauth/introspect", payload: { token: caller.access_token } });
    assert.equal(anonymous.statusCode, 401);
  });

  it("introspection tells the three kinds of token apart, and stamps no last-used time", async () => {
    const caller = await login(app, "root");
    const carol = await login(app, "carol");
    const created = await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(carol.access_token), payload: { name: "ci", scope: "posts:read" } });
    assert.equal(created.statusCode, 201);
    const introspect = async (token: string) =>
      (await app.inject({ method: "POST", url: "/oauth/introspect", headers: bearer(caller.access_token), payload: { token } })).json();
    const pat = await introspect(created.json().token);
    assert.equal(pat.active, true);
    assert.equal(pat.token_type, "Bearer");
    assert.equal(pat.token_kind, "personal_access_token");
    assert.equal(pat.scope, "posts:read");
    assert.equal(pat.username, "carol");
    const listed = (await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(carol.access_token) })).json<{ name: string; last_used_at: string | null }[]>();
    assert.equal(listed.find((token) => token.name === "ci")?.last_used_at, null, "introspection is not a use of the token");
    const refresh = await introspect(carol.refresh_token);
    assert.equal(refresh.active, true);
    assert.equal(refresh.token_type, "refresh_token");
    assert.equal(refresh.token_kind, "refresh_token");
    assert.equal(typeof refresh.sid, "number");
  });
});

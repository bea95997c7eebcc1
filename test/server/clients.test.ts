// Machine clients over real HTTP: the admin API, the client credentials grant (RFC 6749 4.4),
// RFC 9068 claims, rotation with two live secrets, revocation, introspection and the limits.
import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { basic, bearer, login, makeAppWithAdmin, PASSWORD, problem, register } from "./helpers.js";

const form = { "content-type": "application/x-www-form-urlencoded" };

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

interface CreatedClient {
  client_id: string;
  client_secret: string;
  secret_id: number;
  scope: string;
  owner_id: number | null;
}

async function createClient(app: FastifyInstance, adminToken: string, body: Record<string, unknown>): Promise<CreatedClient> {
  const response = await app.inject({ method: "POST", url: "/api/admin/clients", headers: bearer(adminToken), payload: body });
  assert.equal(response.statusCode, 201, response.body);
  return response.json<CreatedClient>();
}

async function clientToken(app: FastifyInstance, clientId: string, secret: string, scope?: string) {
  return app.inject({
    method: "POST",
    url: "/oauth/token",
    headers: { ...form, authorization: basic(encodeURIComponent(clientId), encodeURIComponent(secret)) },
    payload: `grant_type=client_credentials${scope === undefined ? "" : `&scope=${encodeURIComponent(scope)}`}`,
  });
}

void describe("machine clients", () => {
  let app: FastifyInstance;
  let admin: string;
  let userToken: string;
  let userId: number;
  before(async () => {
    app = await makeAppWithAdmin({ TESSERA_LOGIN_LIMIT_ACCOUNT: "3/15m" });
    admin = (await login(app, "root")).access_token;
    userId = (await register(app, "maria")).id;
    userToken = (await login(app, "maria")).access_token;
  });
  after(() => app.close());

  it("only an admin manages clients; the secret is shown once and never listed", async () => {
    assert.equal((await app.inject({ method: "GET", url: "/api/admin/clients" })).statusCode, 401);
    const forbidden = await app.inject({ method: "POST", url: "/api/admin/clients", headers: bearer(userToken), payload: { name: "x", scope: "" } });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(problem(forbidden).code, "forbidden");

    const created = await createClient(app, admin, { name: "reporting", scope: "posts:read" });
    assert.match(created.client_id, /^tsr_ci_/);
    assert.match(created.client_secret, /^tsr_cs_[A-Za-z0-9_-]{49}$/);
    assert.equal(created.owner_id, null);
    const list = await app.inject({ method: "GET", url: "/api/admin/clients", headers: bearer(admin) });
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(created.client_secret), "no secret in the list");
    assert.ok(list.json<{ client_id: string }[]>().some((client) => client.client_id === created.client_id));
    const one = await app.inject({ method: "GET", url: `/api/admin/clients/${created.client_id}`, headers: bearer(admin) });
    assert.deepEqual(one.json<{ secrets: { id: number }[] }>().secrets.map((secret) => secret.id), [created.secret_id]);
    assert.ok(!one.body.includes(created.client_secret));
  });

  it("refuses scopes beyond the server's, or beyond what the owner may hold", async () => {
    const unknown = await app.inject({ method: "POST", url: "/api/admin/clients", headers: bearer(admin), payload: { name: "x", scope: "rockets:launch" } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(problem(unknown).code, "validation_failed");
    const ownerCannot = await app.inject({
      method: "POST",
      url: "/api/admin/clients",
      headers: bearer(admin),
      payload: { name: "x", scope: "tokens:introspect", owner_id: userId },
    });
    assert.equal(ownerCannot.statusCode, 400, "an ordinary user may not hold tokens:introspect");
  });

  it("client_credentials answers an RFC 9068 access token without refresh token, by Basic or by client_secret_post", async () => {
    const created = await createClient(app, admin, { name: "exporter", scope: "posts:read users:read", owner_id: userId });
    const viaBasic = await clientToken(app, created.client_id, created.client_secret, "posts:read");
    assert.equal(viaBasic.statusCode, 200, viaBasic.body);
    assert.equal(viaBasic.headers["cache-control"], "no-store");
    const body = viaBasic.json<Record<string, unknown>>();
    assert.equal(body["refresh_token"], undefined);
    assert.equal(body["token_type"], "Bearer");
    assert.equal(body["scope"], "posts:read");
    const claims = claimsOf(body["access_token"] as string);
    assert.equal(claims["sub"], created.client_id);
    assert.equal(claims["client_id"], created.client_id);
    assert.equal(claims["sid"], undefined);
    assert.equal(claims["scope"], "posts:read");

    const viaPost = await app.inject({
      method: "POST",
      url: "/oauth/token",
      payload: { grant_type: "client_credentials", client_id: created.client_id, client_secret: created.client_secret },
    });
    assert.equal(viaPost.statusCode, 200, viaPost.body);
    assert.equal(viaPost.json().scope, "posts:read users:read", "nothing asked: the client's whole scope");

    // An owned client acts for its owner, within its scope.
    const token = viaPost.json<{ access_token: string }>().access_token;
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(token) });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().username, "maria");
    const write = await app.inject({ method: "POST", url: "/api/posts", headers: bearer(token), payload: { title: "t", body: "b" } });
    assert.equal(write.statusCode, 403, "posts:write is not the client's");
    const mint = await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(token), payload: { name: "n", scope: "posts:read" } });
    assert.equal(mint.statusCode, 403, "a client cannot mint personal access tokens");

    const wider = await clientToken(app, created.client_id, created.client_secret, "posts:write");
    assert.equal(wider.statusCode, 400);
    assert.equal(wider.json().error, "invalid_scope");

    // The audit log names the client as the actor of its grants, and of the requests it makes.
    const events = await app.inject({ method: "GET", url: `/api/admin/events?client_id=${created.client_id}`, headers: bearer(admin) });
    const items = events.json<{ items: { type: string; actor: { type: string; id: string | null }; user_id: number | null }[] }>().items;
    const issued = items.filter((event) => event.type === "client.token_issued");
    assert.equal(issued.length, 2);
    assert.ok(issued.every((event) => event.actor.type === "client" && event.actor.id === created.client_id && event.user_id === userId));
    assert.ok(items.some((event) => event.type === "client.created"));
  });

  it("bad client authentication is 401 invalid_client with a Basic challenge, and changes nothing", async () => {
    const created = await createClient(app, admin, { name: "wrong-secret", scope: "posts:read" });
    const other = await createClient(app, admin, { name: "other", scope: "posts:read" });
    for (const [id, secret] of [
      [created.client_id, other.client_secret],
      ["tsr_ci_AAAAAAAAAAAAAAAAAAAAAA", created.client_secret],
      [created.client_id, "not-a-secret"],
    ] as const) {
      const response = await clientToken(app, id, secret);
      assert.equal(response.statusCode, 401, response.body);
      assert.equal(response.json().error, "invalid_client");
      assert.equal(problem(response).code, "invalid_client");
      assert.equal(response.headers["www-authenticate"], 'Basic realm="tessera", charset="UTF-8"');
    }
    const none = await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "client_credentials" } });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error, "invalid_client");
    const both = await app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: { authorization: basic(created.client_id, created.client_secret) },
      payload: { grant_type: "client_credentials", client_id: created.client_id, client_secret: created.client_secret },
    });
    assert.equal(both.statusCode, 401, "one authentication method per request");
    assert.equal((await clientToken(app, created.client_id, created.client_secret)).statusCode, 200, "the real secret still works");
  });

  it("failed secrets are limited per client id like logins: a locked client is refused even with the right secret", async () => {
    const created = await createClient(app, admin, { name: "locked", scope: "" });
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal((await clientToken(app, created.client_id, `tsr_cs_${"A".repeat(49)}`)).statusCode, 401);
    }
    const locked = await clientToken(app, created.client_id, created.client_secret);
    assert.equal(locked.statusCode, 429);
    assert.equal(problem(locked).code, "rate_limited");
    assert.ok(Number(locked.headers["retry-after"]) > 0);
    const another = await createClient(app, admin, { name: "not-locked", scope: "" });
    assert.equal((await clientToken(app, another.client_id, another.client_secret)).statusCode, 200, "other clients are not locked");
  });

  it("an unowned client acts for no user: it may introspect with tokens:introspect, and sees client tokens as clients", async () => {
    const resourceServer = await createClient(app, admin, { name: "resource-server", scope: "tokens:introspect" });
    const token = (await clientToken(app, resourceServer.client_id, resourceServer.client_secret)).json<{ access_token: string }>().access_token;
    const me = await app.inject({ method: "GET", url: "/api/me", headers: bearer(token) });
    assert.equal(me.statusCode, 403, "no user to act for");

    const owned = await createClient(app, admin, { name: "owned", scope: "posts:read", owner_id: userId });
    const ownedToken = (await clientToken(app, owned.client_id, owned.client_secret)).json<{ access_token: string }>().access_token;
    const introspected = await app.inject({ method: "POST", url: "/oauth/introspect", headers: { ...bearer(token), ...form }, payload: `token=${ownedToken}` });
    assert.equal(introspected.statusCode, 200, introspected.body);
    const body = introspected.json<Record<string, unknown>>();
    assert.equal(body["active"], true);
    assert.equal(body["client_id"], owned.client_id);
    assert.equal(body["sub"], owned.client_id);
    assert.equal(body["token_kind"], "client");
    assert.equal(body["username"], "maria");
    assert.equal(body["sid"], undefined);
  });

  it("rotation keeps two live secrets; the third revokes the oldest and the tokens it minted", async () => {
    const created = await createClient(app, admin, { name: "rotating", scope: "posts:read", owner_id: userId });
    const firstToken = (await clientToken(app, created.client_id, created.client_secret)).json<{ access_token: string }>().access_token;
    const rotate = () => app.inject({ method: "POST", url: `/api/admin/clients/${created.client_id}/secrets`, headers: bearer(admin) });
    const second = (await rotate()).json<{ client_secret: string; secret_id: number; revoked_secret_ids: number[] }>();
    assert.deepEqual(second.revoked_secret_ids, []);
    assert.equal((await clientToken(app, created.client_id, created.client_secret)).statusCode, 200, "the old secret still works while rotating");
    assert.equal((await clientToken(app, created.client_id, second.client_secret)).statusCode, 200);
    assert.equal((await app.inject({ method: "GET", url: "/api/posts", headers: bearer(firstToken) })).statusCode, 200);

    const third = (await rotate()).json<{ client_secret: string; revoked_secret_ids: number[] }>();
    assert.deepEqual(third.revoked_secret_ids, [created.secret_id]);
    assert.equal((await clientToken(app, created.client_id, created.client_secret)).statusCode, 401);
    const refused = await app.inject({ method: "GET", url: "/api/posts", headers: bearer(firstToken) });
    assert.equal(refused.statusCode, 401);
    assert.equal(problem(refused).code, "token_revoked");
    assert.equal((await clientToken(app, created.client_id, second.client_secret)).statusCode, 200);

    const revokeSecond = await app.inject({ method: "DELETE", url: `/api/admin/clients/${created.client_id}/secrets/${second.secret_id}`, headers: bearer(admin) });
    assert.equal(revokeSecond.statusCode, 204);
    assert.equal((await clientToken(app, created.client_id, second.client_secret)).statusCode, 401);
    assert.equal((await clientToken(app, created.client_id, third.client_secret)).statusCode, 200);
  });

  it("revoking a client refuses its tokens and its secrets", async () => {
    const created = await createClient(app, admin, { name: "doomed", scope: "posts:read", owner_id: userId });
    const token = (await clientToken(app, created.client_id, created.client_secret)).json<{ access_token: string }>().access_token;
    assert.equal((await app.inject({ method: "GET", url: "/api/posts", headers: bearer(token) })).statusCode, 200);
    const revoked = await app.inject({ method: "DELETE", url: `/api/admin/clients/${created.client_id}`, headers: bearer(admin) });
    assert.equal(revoked.statusCode, 204);
    const refused = await app.inject({ method: "GET", url: "/api/posts", headers: bearer(token) });
    assert.equal(refused.statusCode, 401);
    assert.equal(problem(refused).code, "token_revoked");
    assert.equal((await clientToken(app, created.client_id, created.client_secret)).statusCode, 401);
    assert.equal((await app.inject({ method: "DELETE", url: `/api/admin/clients/${created.client_id}`, headers: bearer(admin) })).statusCode, 404);
    const list = (await app.inject({ method: "GET", url: "/api/admin/clients", headers: bearer(admin) })).json<{ client_id: string }[]>();
    assert.ok(!list.some((client) => client.client_id === created.client_id));
  });

  it("deleting the owner revokes the owner's clients", async () => {
    const owner = await register(app, "owner-to-go");
    const created = await createClient(app, admin, { name: "orphan", scope: "posts:read", owner_id: owner.id });
    const ownerToken = (await login(app, "owner-to-go", PASSWORD)).access_token;
    const deleted = await app.inject({ method: "DELETE", url: `/api/users/${owner.id}`, headers: bearer(ownerToken) });
    assert.equal(deleted.statusCode, 204);
    assert.equal((await clientToken(app, created.client_id, created.client_secret)).statusCode, 401);
  });
});

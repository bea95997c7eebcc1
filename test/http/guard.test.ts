import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BackendUnavailableError } from "../../src/core/errors.js";
import {
  basicScheme,
  bearerScheme,
  createGuard,
  headerScheme,
  type AuthScheme,
  type RequestView,
  type VerifyResult,
} from "../../src/http/index.js";

interface TestAuth {
  userId: number;
  scope: string;
}

function viewOf(headers: Record<string, string> = {}, method = "GET", url = "/"): RequestView {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { method, url, header: (name) => lower.get(name.toLowerCase()) };
}

const basicOf = (value: string): string => `Basic ${Buffer.from(value, "utf8").toString("base64")}`;

async function verifyToken(token: string): Promise<VerifyResult<TestAuth>> {
  await Promise.resolve();
  if (token === "good") return { ok: true, auth: { userId: 1, scope: "posts:read" } };
  if (token === "writer") return { ok: true, auth: { userId: 2, scope: "posts:read posts:write" } };
  if (token === "expired") return { ok: false, code: "token_expired" };
  if (token === "chatty") return { ok: false, code: "token_invalid", detail: "token chatty is not known" };
  if (token === "down") throw new BackendUnavailableError("database");
  if (token === "bug") throw new Error("boom");
  return { ok: false, code: "token_invalid" };
}

function verifyPassword(username: string, password: string): VerifyResult<TestAuth> {
  return username === "alice" && password === "s3cret"
    ? { ok: true, auth: { userId: 3, scope: "posts:read" } }
    : { ok: false, code: "credentials_invalid" };
}

void describe("createGuard: options are checked at construction", () => {
  const bearer = bearerScheme({ verify: verifyToken });

  void it("refuses an empty or missing scheme list", () => {
    assert.throws(() => createGuard({ schemes: [] }), TypeError);
    assert.throws(() => createGuard({} as never), TypeError);
  });

  void it("refuses two schemes that read the same credentials", () => {
    assert.throws(() => createGuard({ schemes: [bearer, bearerScheme({ scheme: "bearer", verify: verifyToken })] }), TypeError);
    assert.throws(
      () => createGuard({ schemes: [basicScheme({ verify: verifyPassword }), bearerScheme({ scheme: "Basic", verify: verifyToken })] }),
      TypeError,
    );
  });

  void it("refuses a bad realm, bad scopes or a non-function scopesOf", () => {
    assert.throws(() => createGuard({ schemes: [bearer], realm: "" }), TypeError);
    assert.throws(() => createGuard({ schemes: [bearer], realm: "a\nb" }), TypeError);
    assert.throws(() => createGuard({ schemes: [bearer], scopes: ['posts"write'] }), TypeError);
    assert.throws(() => createGuard({ schemes: [bearer], scopesOf: "scope" as never }), TypeError);
  });

  void it("refuses misused scheme factories", () => {
    assert.throws(() => bearerScheme({ verify: undefined as never }), TypeError);
    assert.throws(() => bearerScheme({ scheme: "Be arer", verify: verifyToken }), TypeError);
    assert.throws(() => basicScheme({ verify: verifyPassword, realm: "x\r\n" }), TypeError);
    assert.throws(() => headerScheme({ header: "Authorization", verify: verifyToken }), TypeError);
    assert.throws(() => headerScheme({ header: "api token", verify: verifyToken }), TypeError);
    assert.throws(() => headerScheme({ header: "api-token", verify: verifyToken, challengeScheme: "A B" }), TypeError);
  });
});

void describe("createGuard: results", () => {
  const guard = createGuard({ schemes: [bearerScheme({ verify: verifyToken })] });

  void it("lets a good token through with the app's auth object and the scheme name", async () => {
    assert.deepEqual(await guard.authenticate(viewOf({ Authorization: "Bearer good" })), {
      ok: true,
      auth: { userId: 1, scope: "posts:read" },
      scheme: "Bearer",
    });
  });

  void it("answers 401 token_missing with the plain challenge", async () => {
    const result = await guard.authenticate(viewOf());
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.status, 401);
    assert.equal(result.code, "token_missing");
    assert.deepEqual(result.headers, { "WWW-Authenticate": 'Bearer realm="tessera"' });
    assert.deepEqual(result.problem, {
      type: "about:blank",
      title: "Unauthorized",
      status: 401,
      code: "token_missing",
      detail: "No credentials were presented",
    });
  });

  void it("answers 401 invalid_token with the verify code kept in the problem", async () => {
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer expired" }));
    assert.ok(!result.ok);
    assert.equal(result.status, 401);
    assert.equal(result.code, "token_expired");
    assert.equal(
      result.headers["WWW-Authenticate"],
      'Bearer realm="tessera", error="invalid_token", error_description="The access token expired"',
    );
    assert.equal(result.problem.detail, "The access token expired");
  });

  void it("answers 401 token_malformed for unusable Bearer credentials without calling verify", async () => {
    let calls = 0;
    const counting = createGuard({
      schemes: [bearerScheme({ verify: (token) => (calls++, verifyToken(token)) })],
    });
    for (const value of ["Bearer", "Bearer a b", "Bearer a$b", 'Bearer "a"']) {
      const result = await counting.authenticate(viewOf({ Authorization: value }));
      assert.ok(!result.ok, value);
      assert.equal(result.status, 401, value);
      assert.equal(result.code, "token_malformed", value);
      assert.match(result.headers["WWW-Authenticate"] ?? "", /^Bearer realm="tessera", error="invalid_token", error_description="/);
    }
    const garbage = await counting.authenticate(viewOf({ Authorization: "@@@" }));
    assert.ok(!garbage.ok);
    assert.equal(garbage.code, "token_missing");
    assert.equal(garbage.headers["WWW-Authenticate"], 'Bearer realm="tessera"');
    const twice = await counting.authenticate({ ...viewOf({ Authorization: "Bearer a, Bearer b" }), fieldCount: () => 2 });
    assert.ok(!twice.ok);
    assert.equal(twice.status, 400);
    assert.equal(twice.code, "invalid_request");
    assert.equal(calls, 0);
  });

  void it("never echoes the token through a verify detail", async () => {
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer chatty" }));
    assert.ok(!result.ok);
    assert.equal(result.problem.detail, "The access token is invalid");
    assert.ok(!(result.headers["WWW-Authenticate"] ?? "").includes("chatty"));
  });

  void it("answers 503 backend_unavailable (not 401) when verify reports a store outage", async () => {
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer down" }));
    assert.ok(!result.ok);
    assert.equal(result.status, 503);
    assert.equal(result.code, "backend_unavailable");
    assert.deepEqual(result.headers, {});
  });

  void it("lets other verify faults propagate", async () => {
    await assert.rejects(guard.authenticate(viewOf({ Authorization: "Bearer bug" })), /boom/);
  });

  void it("rejects a verify answer of the wrong shape", async () => {
    const sloppy = createGuard({ schemes: [bearerScheme({ verify: () => "yes" as never })] });
    await assert.rejects(sloppy.authenticate(viewOf({ Authorization: "Bearer x" })), TypeError);
    const unknownCode = createGuard({ schemes: [bearerScheme({ verify: () => ({ ok: false, code: "nope" }) as never })] });
    await assert.rejects(unknownCode.authenticate(viewOf({ Authorization: "Bearer x" })), TypeError);
  });

  void it("passes the request to verify", async () => {
    let seen: RequestView | undefined;
    const g = createGuard({
      schemes: [bearerScheme({ verify: (_token, { request }) => ((seen = request), { ok: true, auth: 1 }) })],
    });
    await g.authenticate(viewOf({ Authorization: "Bearer t" }, "DELETE", "/api/tokens"));
    assert.equal(seen?.method, "DELETE");
    assert.equal(seen?.url, "/api/tokens");
  });
});

void describe("createGuard: scopes", () => {
  const bearer = bearerScheme({ verify: verifyToken });

  void it("answers 403 insufficient_scope naming the required scope", async () => {
    const guard = createGuard({ schemes: [bearer], scopes: ["posts:write"] });
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer good" }));
    assert.ok(!result.ok);
    assert.equal(result.status, 403);
    assert.equal(result.code, "insufficient_scope");
    assert.equal(
      result.headers["WWW-Authenticate"],
      'Bearer realm="tessera", error="insufficient_scope", scope="posts:write"',
    );
    assert.match(result.problem.detail, /posts:write/);
  });

  void it("lets a token with the scope through", async () => {
    const guard = createGuard({ schemes: [bearer], scopes: "posts:write" });
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer writer" }));
    assert.equal(result.ok, true);
  });

  void it("names every required scope in the challenge, normalised", async () => {
    const guard = createGuard({ schemes: [bearer], scopes: ["users:write", "posts:read"] });
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer good" }));
    assert.ok(!result.ok);
    assert.match(result.headers["WWW-Authenticate"] ?? "", /scope="posts:read users:write"$/);
  });

  void it("reads scopes through scopesOf, or from a scopes array", async () => {
    const custom = createGuard({
      schemes: [bearerScheme({ verify: () => ({ ok: true, auth: { perms: ["posts:write"] } }) })],
      scopes: ["posts:write"],
      scopesOf: (auth) => auth.perms,
    });
    assert.equal((await custom.authenticate(viewOf({ Authorization: "Bearer x" }))).ok, true);
    const arrays = createGuard({
      schemes: [bearerScheme({ verify: () => ({ ok: true, auth: { scopes: ["posts:write"] } }) })],
      scopes: ["posts:write"],
    });
    assert.equal((await arrays.authenticate(viewOf({ Authorization: "Bearer x" }))).ok, true);
  });

  void it("fails closed when auth carries no scopes", async () => {
    const guard = createGuard({
      schemes: [bearerScheme({ verify: () => ({ ok: true, auth: { userId: 1 } }) })],
      scopes: ["posts:read"],
    });
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer x" }));
    assert.ok(!result.ok);
    assert.equal(result.code, "insufficient_scope");
  });

  void it("sends no Bearer challenge on 403 for a Basic login", async () => {
    const guard = createGuard({ schemes: [basicScheme({ verify: verifyPassword })], scopes: ["posts:write"] });
    const result = await guard.authenticate(viewOf({ Authorization: basicOf("alice:s3cret") }));
    assert.ok(!result.ok);
    assert.equal(result.status, 403);
    assert.deepEqual(result.headers, {});
  });
});

void describe("createGuard: several schemes (MultiAuth)", () => {
  const token = bearerScheme({ scheme: "Token", verify: verifyToken });
  const basic = basicScheme({ verify: verifyPassword });
  const apiToken = headerScheme({ header: "api-token", verify: verifyToken });
  const guard = createGuard({ schemes: [apiToken, token, basic] });

  void it("lists every challenge when no credentials are present", async () => {
    const result = await guard.authenticate(viewOf());
    assert.ok(!result.ok);
    assert.equal(
      result.headers["WWW-Authenticate"],
      'ApiKey realm="tessera", header="api-token", Token realm="tessera", Basic realm="tessera", charset="UTF-8"',
    );
  });

  void it("uses whichever scheme's credentials are present", async () => {
    const viaToken = await guard.authenticate(viewOf({ Authorization: "Token good" }));
    assert.ok(viaToken.ok);
    assert.equal(viaToken.scheme, "Token");
    const viaBasic = await guard.authenticate(viewOf({ Authorization: basicOf("alice:s3cret") }));
    assert.ok(viaBasic.ok);
    assert.equal(viaBasic.scheme, "Basic");
    const viaHeader = await guard.authenticate(viewOf({ "api-token": "good" }));
    assert.ok(viaHeader.ok);
    assert.equal(viaHeader.scheme, "api-token");
  });

  void it("lets the first scheme with credentials decide, even when a later one would pass", async () => {
    const result = await guard.authenticate(viewOf({ "api-token": "nope", Authorization: "Token good" }));
    assert.ok(!result.ok);
    assert.equal(result.code, "token_invalid");
    assert.equal(
      result.headers["WWW-Authenticate"],
      'ApiKey realm="tessera", header="api-token", error="invalid_token", error_description="The access token is invalid"',
    );
  });

  void it("answers a failed Basic login with the Basic challenge only", async () => {
    const result = await guard.authenticate(viewOf({ Authorization: basicOf("alice:wrong") }));
    assert.ok(!result.ok);
    assert.equal(result.code, "credentials_invalid");
    assert.equal(result.headers["WWW-Authenticate"], 'Basic realm="tessera", charset="UTF-8"');
  });

  void it("treats an Authorization scheme nobody accepts as no credentials", async () => {
    const result = await guard.authenticate(viewOf({ Authorization: "Bearer good" }));
    assert.ok(!result.ok);
    assert.equal(result.code, "token_missing");
  });

  void it("uses a scheme's own realm over the guard's", async () => {
    const g = createGuard({
      realm: "outer",
      schemes: [bearerScheme({ verify: verifyToken, realm: "inner" }), basicScheme({ verify: verifyPassword })],
    });
    const result = await g.authenticate(viewOf());
    assert.ok(!result.ok);
    assert.equal(result.headers["WWW-Authenticate"], 'Bearer realm="inner", Basic realm="outer", charset="UTF-8"');
  });

  void it("still sends a challenge on 401 when a hand-made scheme forgets one for a failure", async () => {
    const handMade: AuthScheme<number> = {
      key: "custom",
      name: "Custom",
      realm: undefined,
      authenticate: () => Promise.resolve({ ok: false, code: "token_invalid" }),
      challenge: (request) => (request.code === undefined ? `Custom realm="${request.realm}"` : undefined),
    };
    const result = await createGuard({ schemes: [handMade] }).authenticate(viewOf());
    assert.ok(!result.ok);
    assert.equal(result.status, 401);
    assert.equal(result.headers["WWW-Authenticate"], 'Custom realm="tessera"');
  });
});

void describe("createGuard: renderFailure (what every adapter sends)", () => {
  const bearer = bearerScheme({ verify: verifyToken });

  async function failureOf(guard: ReturnType<typeof createGuard<TestAuth>>, headers: Record<string, string> = {}) {
    const result = await guard.authenticate(viewOf(headers));
    assert.equal(result.ok, false);
    return result.ok ? assert.fail("expected a failure") : result;
  }

  void it("defaults to the problem+json body with the failure's status and challenge", async () => {
    const guard = createGuard({ schemes: [bearer] });
    const failure = await failureOf(guard, { Authorization: "Bearer expired" });
    const rendered = guard.renderFailure(failure);
    assert.equal(rendered.status, 401);
    assert.deepEqual(rendered.headers, {
      "WWW-Authenticate": failure.headers["WWW-Authenticate"],
      "Content-Type": "application/problem+json; charset=utf-8",
    });
    assert.deepEqual(JSON.parse(rendered.body), failure.problem);
  });

  void it("sends onFailure's JSON body and keeps the challenge and status", async () => {
    const seen: string[] = [];
    const guard = createGuard({
      schemes: [bearer],
      onFailure: (failure) => {
        seen.push(failure.code);
        return { body: { error: "Unauthorized" } };
      },
    });
    const rendered = guard.renderFailure(await failureOf(guard));
    assert.deepEqual(seen, ["token_missing"]);
    assert.deepEqual(rendered, {
      status: 401,
      headers: { "WWW-Authenticate": 'Bearer realm="tessera"', "Content-Type": "application/json; charset=utf-8" },
      body: '{"error":"Unauthorized"}',
    });
  });

  void it("lets onFailure set the status, replace headers case-insensitively, and send text", async () => {
    const guard = createGuard({
      schemes: [bearer],
      onFailure: () => ({ status: 400, headers: { "www-authenticate": 'Custom realm="x"', "X-Why": "missing" }, body: "no token" }),
    });
    assert.deepEqual(guard.renderFailure(await failureOf(guard)), {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "www-authenticate": 'Custom realm="x"', "X-Why": "missing" },
      body: "no token",
    });
    const typed = createGuard({ schemes: [bearer], onFailure: () => ({ headers: { "content-type": "application/vnd.api+json" }, body: [] }) });
    assert.deepEqual(typed.renderFailure(await failureOf(typed)).headers, {
      "WWW-Authenticate": 'Bearer realm="tessera"',
      "content-type": "application/vnd.api+json",
    });
  });

  void it("refuses a non-function onFailure at construction", () => {
    assert.throws(() => createGuard({ schemes: [bearer], onFailure: "nope" as never }), TypeError);
  });

  void it("refuses an onFailure answer that is not a refusal or has no body", async () => {
    for (const answer of [
      { status: 200, body: {} },
      { status: 302, body: {} },
      { status: 401.5, body: {} },
      { body: undefined },
      {},
      null,
      { body: () => 1 },
      { body: {}, headers: { "X-Count": 1 } },
    ]) {
      const guard = createGuard({ schemes: [bearer], onFailure: () => answer as never });
      const failure = await failureOf(guard);
      assert.throws(() => guard.renderFailure(failure), TypeError, JSON.stringify(answer));
    }
  });
});

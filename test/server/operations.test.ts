import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { bearer, login, makeApp, problem, register } from "./helpers.js";

describe("operations and framework errors", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeApp({ TESSERA_BODY_LIMIT: "1kb" });
  });
  after(() => app.close());

  it("healthz and readyz", async () => {
    assert.equal((await app.inject("/healthz")).statusCode, 200);
    const ready = await app.inject("/readyz");
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().checks.database, "ok");
  });

  it("readyz answers 503 problem+json naming the failing backend", async () => {
    const failing = await makeApp({}, { readiness: [{ name: "redis", check: () => Promise.reject(new Error("down")) }] });
    try {
      const response = await failing.inject("/readyz");
      assert.equal(response.statusCode, 503);
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      const body = response.json();
      assert.equal(body.code, "backend_unavailable");
      assert.deepEqual(body.failing, ["redis"]);
      assert.deepEqual(body.checks, { database: "ok", redis: "down" });
      assert.match(body.detail, /redis/);
    } finally {
      await failing.close();
    }
  });

  it("JWKS lists the public EdDSA key with its kid", async () => {
    const response = await app.inject("/.well-known/jwks.json");
    assert.equal(response.statusCode, 200);
    const { keys } = response.json();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].kty, "OKP");
    assert.equal(keys[0].alg, "EdDSA");
    assert.ok(keys[0].kid);
    assert.equal(keys[0].d, undefined, "no private material");
  });

  it("metrics in Prometheus text", async () => {
    await app.inject("/healthz");
    const response = await app.inject("/metrics");
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers["content-type"]), /^text\/plain/);
    assert.match(response.body, /tessera_http_requests_total\{method="GET",route="\/healthz",status="200"\}/);
    assert.match(response.body, /tessera_http_request_duration_seconds_bucket/);
  });

  it("metrics show what memory holds: live revocation entries and audit events not yet written", async () => {
    // An hour between audit flushes, so what the requests below record stays buffered.
    const held = await makeApp({ TESSERA_AUDIT_FLUSH_INTERVAL: "1h" });
    try {
      const gauge = async (name: string) => {
        const match = new RegExp(`^${name} (\\d+)$`, "m").exec((await held.inject("/metrics")).body);
        assert.ok(match?.[1] !== undefined, `${name} is exported`);
        return Number(match[1]);
      };
      const entriesBefore = await gauge("tessera_revocation_entries");
      const pendingBefore = await gauge("tessera_audit_events_pending");
      await register(held, "memo");
      const tokens = await login(held, "memo");
      const logout = await held.inject({ method: "DELETE", url: "/api/tokens", headers: bearer(tokens.access_token) });
      assert.equal(logout.statusCode, 204);
      // The logout revoked the session and its access token: two entries, both in memory.
      assert.equal(await gauge("tessera_revocation_entries"), entriesBefore + 2);
      assert.ok((await gauge("tessera_audit_events_pending")) >= pendingBefore + 2, "the login and the logout wait in the buffer");
    } finally {
      await held.close();
    }
  });

  it("OpenAPI 3.1 document and a docs page from the same schemas", async () => {
    const response = await app.inject("/openapi.json");
    assert.equal(response.statusCode, 200);
    const document = response.json();
    assert.equal(document.openapi, "3.1.0");
    for (const path of ["/api/tokens", "/api/tokens/refresh", "/oauth/token", "/api/users", "/api/posts", "/api/me"]) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
    // Errors are documented with the media type they are sent with (RFC 9457).
    assert.ok(document.paths["/api/tokens"].post.responses["401"].content["application/problem+json"]);
    assert.ok(document.paths["/api/tokens"].post.responses["200"].content["application/json"]);
    const docs = await app.inject("/docs");
    assert.equal(docs.statusCode, 200);
    assert.match(docs.body, /swagger/i);
    // Served from the package, not a CDN.
    assert.doesNotMatch(docs.body, /https?:\/\/(unpkg|cdn)/);
    const css = await app.inject("/docs/static/swagger-ui.css");
    assert.equal(css.statusCode, 200);
  });

  it("unknown route: 404 problem", async () => {
    const response = await app.inject("/nope");
    assert.equal(response.statusCode, 404);
    assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
    assert.equal(problem(response).code, "not_found");
  });

  it("a known path with another method: 405 with Allow", async () => {
    const response = await app.inject({ method: "PUT", url: "/api/users/1" });
    assert.equal(response.statusCode, 405);
    assert.equal(problem(response).code, "method_not_allowed");
    assert.equal(response.headers["allow"], "DELETE, GET, HEAD, PATCH");
    assert.equal((await app.inject({ method: "DELETE", url: "/healthz" })).headers["allow"], "GET, HEAD");
  });

  it("a trailing slash is another path: 404, never a 405 whose Allow lists the method sent", async () => {
    for (const [method, url] of [["GET", "/api/me/"], ["GET", "/healthz/"], ["GET", "/api/users/1/"], ["POST", "/api/users/"]] as const) {
      const response = await app.inject({ method, url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(problem(response).code, "not_found");
      assert.equal(response.headers["allow"], undefined);
    }
  });

  it("a path with a broken percent-escape: 404 problem, not the framework's own error", async () => {
    for (const url of ["/api/users/%", "/api/users/%E0%A4%A", "/api/posts/%zz"]) {
      const response = await app.inject({ method: "GET", url });
      assert.equal(response.statusCode, 404, url);
      assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      assert.equal(problem(response).code, "not_found");
      assert.doesNotMatch(response.body, /FST_/);
    }
  });

  it("malformed JSON: 400 validation_failed", async () => {
    const response = await app.inject({ method: "POST", url: "/api/users", headers: { "content-type": "application/json" }, payload: "{nope" });
    assert.equal(response.statusCode, 400);
    assert.equal(problem(response).code, "validation_failed");
    assert.doesNotMatch(response.body, /at .*\.js/);
  });

  it("a body over the limit: 413 body_too_large", async () => {
    const response = await app.inject({ method: "POST", url: "/api/users", payload: { username: "x", password: "y".repeat(2000) } });
    assert.equal(response.statusCode, 413);
    assert.equal(problem(response).code, "body_too_large");
  });

  it("a body that is not JSON: 415 unsupported_media_type", async () => {
    const response = await app.inject({ method: "POST", url: "/api/users", headers: { "content-type": "text/plain" }, payload: "hello" });
    assert.equal(response.statusCode, 415);
    assert.equal(problem(response).code, "unsupported_media_type");
  });
});

// Replays the Udacity tutorial over real HTTP: the curl session of the tutorial plus the error cases.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { start } from "../../examples/signed-token-basic.js";
import type { RunningExample } from "../../scripts/run-example.js";

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("signed-token-basic (the Udacity tutorial)", () => {
  let now = Date.now();
  let app: RunningExample;
  const call = (path: string, init: RequestInit = {}): Promise<Response> => fetch(app.url + path, init);
  const postJson = (path: string, body: unknown): Promise<Response> =>
    call(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  let token = "";

  before(async () => {
    app = await start({ port: 0, host: "127.0.0.1", databaseUrl: "sqlite::memory:", clock: { now: () => now } });
  });
  after(() => app.close());

  it("POST /api/users creates Lorenzo: 201 {username} with Location", async () => {
    const res = await postJson("/api/users", { username: "Lorenzo", password: "Udacity" });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { username: "Lorenzo" });
    assert.match(res.headers.get("location") ?? "", /^\/api\/users\/\d+$/);
    const fetched = await call(res.headers.get("location") ?? "");
    assert.deepEqual(await fetched.json(), { username: "Lorenzo" });
  });

  it("POST /api/users refuses a taken username and missing fields with 400", async () => {
    assert.equal((await postJson("/api/users", { username: "Lorenzo", password: "other" })).status, 400);
    assert.equal((await postJson("/api/users", { username: "nopass" })).status, 400);
    assert.equal((await postJson("/api/users", {})).status, 400);
  });

  it("curl -u Lorenzo:Udacity /token -> {token}, a signed token that lives 600 s", async () => {
    const res = await call("/token", { headers: { Authorization: basic("Lorenzo", "Udacity") } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string };
    assert.deepEqual(Object.keys(body), ["token"]);
    token = body.token;
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, number>;
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
  });

  it("curl -u <token>:blank /protected-resource -> Hello, Lorenzo!", async () => {
    const res = await call("/protected-resource", { headers: { Authorization: basic(token, "blank") } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { data: "Hello, Lorenzo!" });
  });

  it("/protected-resource also accepts the username and password", async () => {
    const res = await call("/protected-resource", { headers: { Authorization: basic("Lorenzo", "Udacity") } });
    assert.deepEqual(await res.json(), { data: "Hello, Lorenzo!" });
  });

  it("answers 401 with a Basic challenge for no, wrong or unknown credentials and a forged token", async () => {
    const tampered = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const authorization of [
      undefined,
      basic("Lorenzo", "wrong"),
      basic("nobody", "Udacity"),
      basic(tampered, "blank"),
      `Bearer ${token}`,
    ]) {
      const res = await call("/protected-resource", authorization === undefined ? {} : { headers: { Authorization: authorization } });
      assert.equal(res.status, 401, String(authorization));
      assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm=/);
    }
  });

  it("GET /token wants the password: a token cannot mint its successor", async () => {
    assert.equal((await call("/token")).status, 401);
    assert.equal((await call("/token", { headers: { Authorization: basic(token, "blank") } })).status, 401);
  });

  it("a token is refused once its 600 s have passed", async () => {
    now += 610_000; // past exp plus the verifier's 5 s leeway
    const res = await call("/protected-resource", { headers: { Authorization: basic(token, "blank") } });
    assert.equal(res.status, 401);
    const fresh = await call("/token", { headers: { Authorization: basic("Lorenzo", "Udacity") } });
    const { token: next } = (await fresh.json()) as { token: string };
    const again = await call("/protected-resource", { headers: { Authorization: basic(next, "x") } });
    assert.deepEqual(await again.json(), { data: "Hello, Lorenzo!" });
  });

  it("errors are JSON without internals; unknown routes are 404", async () => {
    const malformed = await call("/api/users", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
    assert.equal(malformed.status, 400);
    const text = await malformed.text();
    assert.doesNotMatch(text, /at \w+ \(|node_modules|SyntaxError/);
    assert.equal((await call("/nope")).status, 404);
  });
});

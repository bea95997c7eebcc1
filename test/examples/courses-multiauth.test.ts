// Replays the courses tutorial over real HTTP: the Postman session of the video plus the error cases.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { start } from "../../examples/courses-multiauth.js";
import type { RunningExample } from "../../scripts/run-example.js";

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const course = { title: "Django Basics", url: "https://teamtreehouse.com/library/django-basics" };

describe("courses-multiauth (the courses tutorial)", () => {
  let now = Date.now();
  let app: RunningExample;
  let token = "";
  const call = (path: string, init: RequestInit = {}): Promise<Response> => fetch(app.url + path, init);
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    call(path, { method, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });

  before(async () => {
    app = await start({ port: 0, host: "127.0.0.1", databaseUrl: "sqlite::memory:", clock: { now: () => now } });
  });
  after(() => app.close());

  it("POST /api/v1/users registers Kenneth Love: 201 {username}", async () => {
    const res = await send("POST", "/api/v1/users", {
      username: "kennethlove",
      email: "kenneth@teamtreehouse.com",
      password: "password",
      verify_password: "password",
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { username: "kennethlove" });
  });

  it("registration refuses a mismatched verification (400), missing fields (400) and a taken name or email (409)", async () => {
    const base = { username: "other", email: "other@example.com", password: "password" };
    const mismatch = await send("POST", "/api/v1/users", { ...base, verify_password: "passw0rd" });
    assert.equal(mismatch.status, 400);
    assert.equal(((await mismatch.json()) as { code: string }).code, "validation_failed");
    assert.equal((await send("POST", "/api/v1/users", { username: "x" })).status, 400);
    const takenName = await send("POST", "/api/v1/users", { ...base, username: "kennethlove", verify_password: "password" });
    assert.equal(takenName.status, 409);
    const takenEmail = await send("POST", "/api/v1/users", { ...base, email: "kenneth@teamtreehouse.com", verify_password: "password" });
    assert.equal(takenEmail.status, 409);
  });

  it("GET /api/v1/courses is public and starts empty", async () => {
    const res = await call("/api/v1/courses");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { courses: [] });
  });

  it("POST /api/v1/courses without credentials is 401 with both challenges, and creates nothing", async () => {
    const res = await send("POST", "/api/v1/courses", course);
    assert.equal(res.status, 401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    assert.match(challenge, /Token realm=/);
    assert.match(challenge, /Basic realm=/);
    assert.deepEqual(await (await call("/api/v1/courses")).json(), { courses: [] });
  });

  it("Basic auth creates the course: 201 with Location", async () => {
    const res = await send("POST", "/api/v1/courses", course, { Authorization: basic("kennethlove", "password") });
    assert.equal(res.status, 201);
    const created = (await res.json()) as { id: number; title: string; url: string };
    assert.deepEqual(created, { id: created.id, ...course });
    assert.equal(res.headers.get("location"), `/api/v1/courses/${created.id}`);
  });

  it("GET /api/v1/users/token with Basic -> {token}, living 3600 s", async () => {
    const res = await call("/api/v1/users/token", { headers: { Authorization: basic("kennethlove", "password") } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string };
    assert.deepEqual(Object.keys(body), ["token"]);
    token = body.token;
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, number>;
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 3600);
  });

  it("`Authorization: Token <t>` creates a course too (token_auth first in MultiAuth)", async () => {
    const res = await send("POST", "/api/v1/courses", { title: "Flask Basics", url: "https://teamtreehouse.com/library/flask-basics" }, {
      Authorization: `Token ${token}`,
    });
    assert.equal(res.status, 201);
    const list = (await (await call("/api/v1/courses")).json()) as { courses: { title: string }[] };
    assert.deepEqual(list.courses.map((c) => c.title), ["Django Basics", "Flask Basics"]);
  });

  it("bad credentials of either kind are 401", async () => {
    const forged = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const authorization of [`Token ${forged}`, "Token not-a-token", basic("kennethlove", "wrong"), basic("nobody", "password")]) {
      const res = await send("POST", "/api/v1/courses", course, { Authorization: authorization });
      assert.equal(res.status, 401, authorization.slice(0, 12));
      assert.ok(res.headers.get("www-authenticate"));
    }
    // The token endpoint wants the password itself.
    assert.equal((await call("/api/v1/users/token", { headers: { Authorization: `Token ${token}` } })).status, 401);
  });

  it("a course needs a title and an http(s) URL", async () => {
    const auth = { Authorization: `Token ${token}` };
    assert.equal((await send("POST", "/api/v1/courses", { title: "No URL" }, auth)).status, 400);
    assert.equal((await send("POST", "/api/v1/courses", { title: "Bad", url: "javascript:alert(1)" }, auth)).status, 400);
    const headers = { ...auth, "Content-Type": "application/json" };
    const malformed = await call("/api/v1/courses", { method: "POST", headers, body: "{" });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { code: string }).code, "invalid_request");
  });

  it("a form body works like the tutorial's reqparse", async () => {
    const res = await call("/api/v1/courses", {
      method: "POST",
      headers: { Authorization: `Token ${token}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ title: "Python Basics", url: "https://teamtreehouse.com/library/python-basics" }).toString(),
    });
    assert.equal(res.status, 201);
  });

  it("GET/PUT/DELETE /api/v1/courses/:id, 404 for unknown ids", async () => {
    const auth = { Authorization: `Token ${token}` };
    const got = await call("/api/v1/courses/1");
    assert.deepEqual(await got.json(), { id: 1, ...course });
    const put = await send("PUT", "/api/v1/courses/1", { title: "Django Basics 2", url: course.url }, auth);
    assert.equal(put.status, 200);
    assert.equal(((await put.json()) as { title: string }).title, "Django Basics 2");
    assert.equal((await send("PUT", "/api/v1/courses/1", course, {})).status, 401);
    assert.equal((await call("/api/v1/courses/1", { method: "DELETE", headers: auth })).status, 204);
    assert.equal((await call("/api/v1/courses/1")).status, 404);
    assert.equal((await call("/api/v1/courses/abc")).status, 404);
  });

  it("a token is refused after its 3600 s", async () => {
    now += 3610_000;
    const res = await send("POST", "/api/v1/courses", course, { Authorization: `Token ${token}` });
    assert.equal(res.status, 401);
  });
});

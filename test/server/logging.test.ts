import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { it } from "node:test";
import Fastify from "fastify";
import { buildApp } from "../../src/server/app.js";
import { lazyRequestLoggerFactory } from "../../src/server/lazy-request-logger.js";
import { loadConfig } from "../../src/server/config.js";
import { PASSWORD, basic, bearer } from "./helpers.js";

it("logs requests without passwords, tokens or Authorization headers", async () => {
  const stream = new PassThrough();
  let output = "";
  stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const app = await buildApp(loadConfig({ TESSERA_DATABASE_URL: "sqlite::memory:", TESSERA_LOG_LEVEL: "trace" }), { logStream: stream });
  try {
    await app.inject({ method: "POST", url: "/api/users", payload: { username: "ivy", password: PASSWORD } });
    const login = await app.inject({ method: "POST", url: "/api/tokens", headers: { authorization: basic("ivy", PASSWORD), cookie: "session=secret-cookie" } });
    const { access_token, refresh_token } = login.json<{ access_token: string; refresh_token: string }>();
    await app.inject({ method: "GET", url: "/api/me", headers: bearer(access_token) });
    await app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token } });
    await app.inject({ method: "GET", url: "/api/me", headers: bearer("not.a.jwt") });
    assert.ok(output.includes("/api/me"), "requests are logged");
    for (const secret of [PASSWORD, access_token, refresh_token, basic("ivy", PASSWORD).slice(6), "secret-cookie"]) {
      assert.ok(!output.includes(secret), "a secret reached the log");
    }
  } finally {
    await app.close();
  }
});

it("a request's log lines carry its reqId at every level, and nothing below the level is written", async () => {
  for (const level of ["trace", "warn"] as const) {
    const stream = new PassThrough();
    let output = "";
    stream.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const app = Fastify({ logger: { level, stream }, childLoggerFactory: lazyRequestLoggerFactory });
    app.get("/", async (request) => {
      request.log.info("an info line");
      request.log.warn({ detail: "x" }, "a warning");
      request.log.child({ part: "inner" }).error("an inner error");
      return { level: request.log.level };
    });
    try {
      const first = await app.inject("/");
      await app.inject("/");
      assert.deepEqual(first.json(), { level });
      const lines = output
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as { msg?: string; reqId?: unknown; level: number; part?: string; detail?: string });
      const byMessage = (msg: string) => lines.filter((line) => line.msg === msg);
      assert.equal(byMessage("a warning").length, 2, level);
      assert.equal(byMessage("a warning")[0]?.detail, "x");
      assert.equal(byMessage("an inner error")[0]?.part, "inner");
      assert.equal(byMessage("an info line").length, level === "trace" ? 2 : 0, level);
      assert.equal(byMessage("incoming request").length, level === "trace" ? 2 : 0, level);
      const requestLines = lines.filter((line) => line.msg !== undefined && line.msg !== "Server listening at");
      for (const line of requestLines) assert.match(String(line.reqId), /^req-/, `${level}: "${line.msg ?? ""}" carries its reqId`);
      // The two requests log under two ids.
      assert.equal(new Set(byMessage("a warning").map((line) => line.reqId)).size, 2);
    } finally {
      await app.close();
    }
  }
});

import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { it } from "node:test";
import { buildApp } from "../../src/server/app.js";
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

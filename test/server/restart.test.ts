import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { bearer, login, makeApp, register } from "./helpers.js";

describe("restart on the same database file", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-restart-"));
  const env = { TESSERA_DATABASE_URL: `sqlite:${join(dir, "tessera.db")}` };
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps keys, keeps tokens valid and keeps revoked tokens revoked", async () => {
    const first = await makeApp(env);
    await register(first, "hana");
    const kept = await login(first, "hana");
    const revoked = await login(first, "hana");
    assert.equal((await first.inject({ method: "DELETE", url: "/api/tokens", headers: bearer(revoked.access_token) })).statusCode, 204);
    const jwksBefore = (await first.inject("/.well-known/jwks.json")).json();
    await first.close();

    const second = await makeApp(env);
    try {
      assert.deepEqual((await second.inject("/.well-known/jwks.json")).json(), jwksBefore);
      assert.equal((await second.inject({ method: "GET", url: "/api/me", headers: bearer(kept.access_token) })).statusCode, 200);
      const dead = await second.inject({ method: "GET", url: "/api/me", headers: bearer(revoked.access_token) });
      assert.equal(dead.statusCode, 401);
      assert.equal(dead.json().code, "token_revoked");
      const refresh = await second.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: kept.refresh_token } });
      assert.equal(refresh.statusCode, 200);
    } finally {
      await second.close();
    }
  });
});

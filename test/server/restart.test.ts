import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Readable, Writable } from "node:stream";
import { runCli } from "../../src/cli/dispatch.js";
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

  it("without TESSERA_JWT_ALG, a restart keeps the algorithm an operator rotated to; setting it rotates", async () => {
    const rotated = await runCli(["keys", "rotate", "--alg", "ES256", "--database", env.TESSERA_DATABASE_URL], cliIo());
    assert.equal(rotated, 0);
    const headerAlg = (token: string) => JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()).alg;
    const kept = await makeApp(env);
    try {
      assert.equal(headerAlg((await login(kept, "hana")).access_token), "ES256");
    } finally {
      await kept.close();
    }
    const configured = await makeApp({ ...env, TESSERA_JWT_ALG: "EdDSA" });
    try {
      assert.equal(headerAlg((await login(configured, "hana")).access_token), "EdDSA");
    } finally {
      await configured.close();
    }
  });
});

/** Quiet in-process CLI streams. */
function cliIo() {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return { stdout: sink, stderr: sink, stdin: Readable.from([]), env: {} };
}

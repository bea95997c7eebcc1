import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createUser, makeDatabaseUrl, openTessera, runTessera, withStore } from "../helpers.js";

interface ListedToken {
  id: number;
  name: string;
  scope: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

async function issueTokens(databaseUrl: string, userId: number): Promise<{ ci: { id: number; token: string }; laptop: { id: number; token: string } }> {
  return withStore(databaseUrl, async (store) => {
    const tessera = await openTessera(store);
    try {
      const ci = await tessera.personalAccessTokens.create(userId, { name: "ci", scope: "posts:read" });
      const laptop = await tessera.personalAccessTokens.create(userId, { name: "laptop", scope: "posts:read posts:write", expiresInSeconds: 86400 });
      return { ci: { id: ci.record.id, token: ci.token }, laptop: { id: laptop.record.id, token: laptop.token } };
    } finally {
      await tessera.close();
    }
  });
}

void describe("tessera tokens list", () => {
  void it("lists a user's personal access tokens without the tokens or their hashes", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    await createUser(databaseUrl, "bob");
    const { ci, laptop } = await issueTokens(databaseUrl, adaId);
    const hashes = await withStore(databaseUrl, async (store) => (await store.tokens.listTokens(String(adaId), "pat")).map((t) => t.tokenHash));

    const json = await runTessera(["tokens", "list", "ada", "--json"], { databaseUrl });
    assert.equal(json.code, 0, json.stderr);
    const tokens = JSON.parse(json.stdout) as ListedToken[];
    assert.deepEqual(tokens.map((token) => [token.id, token.name, token.scope, token.last_used_at]).sort(), [
      [ci.id, "ci", "posts:read", null],
      [laptop.id, "laptop", "posts:read posts:write", null],
    ]);
    assert.equal(tokens.find((token) => token.id === ci.id)?.expires_at, null);
    assert.match(tokens.find((token) => token.id === laptop.id)?.expires_at ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const table = await runTessera(["tokens", "list", "ada"], { databaseUrl });
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^ID\s+NAME\s+SCOPE\s+CREATED\s+EXPIRES\s+LAST USED\n/);
    assert.match(table.stdout, new RegExp(`\\n${ci.id}\\s+ci\\s+posts:read\\s+\\S+\\s+never\\s+-\\n`));
    for (const output of [json.stdout, table.stdout]) {
      for (const secret of [ci.token, laptop.token, ...hashes]) assert.ok(!output.includes(secret));
    }

    const empty = await runTessera(["tokens", "list", "bob", "--json"], { databaseUrl });
    assert.deepEqual(JSON.parse(empty.stdout), []);
    const missing = await runTessera(["tokens", "list", "nobody"], { databaseUrl });
    assert.equal(missing.code, 1);
  });
});

void describe("tessera tokens revoke", () => {
  void it("revokes one token through the revocations table; the other keeps working", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const { ci, laptop } = await issueTokens(databaseUrl, adaId);

    const result = await runTessera(["tokens", "revoke", String(ci.id)], { databaseUrl });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `revoked personal access token ${ci.id} ("ci")\n`);

    await withStore(databaseUrl, async (store) => {
      const revocations = await store.tokens.listRevocations({ now: Date.now() });
      assert.ok(revocations.some((entry) => entry.kind === "token" && entry.value === String(ci.id)));
      const tessera = await openTessera(store);
      try {
        const revoked = await tessera.verify(ci.token);
        assert.equal(revoked.ok ? null : revoked.code, "token_revoked");
        assert.equal((await tessera.verify(laptop.token)).ok, true);
      } finally {
        await tessera.close();
      }
    });
    const listed = await runTessera(["tokens", "list", "ada", "--json"], { databaseUrl });
    assert.deepEqual((JSON.parse(listed.stdout) as ListedToken[]).map((token) => token.id), [laptop.id]);

    const again = await runTessera(["tokens", "revoke", String(ci.id)], { databaseUrl });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already revoked/);
  });

  void it("checks the owner with --user, and exits 1 for an unknown id", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    await createUser(databaseUrl, "bob");
    const { ci } = await issueTokens(databaseUrl, adaId);

    const wrongOwner = await runTessera(["tokens", "revoke", String(ci.id), "--user", "bob"], { databaseUrl });
    assert.equal(wrongOwner.code, 1);
    assert.match(wrongOwner.stderr, /does not belong to "bob"/);
    const unknown = await runTessera(["tokens", "revoke", "9999"], { databaseUrl });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no personal access token with id 9999/);
    await withStore(databaseUrl, async (store) => {
      assert.equal((await store.tokens.listTokens(String(adaId), "pat")).length, 2, "nothing was revoked");
    });

    const rightOwner = await runTessera(["tokens", "revoke", String(ci.id), "--user", "ada"], { databaseUrl });
    assert.equal(rightOwner.code, 0, rightOwner.stderr);
  });
});

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { makeApp } from "../../server/helpers.js";
import { createUser, makeDatabaseUrl, runTessera, withStore } from "../helpers.js";

interface CreatedJson {
  client_id: string;
  client_secret: string;
  secret_id: number;
  name: string;
  scope: string;
  owner_id: number | null;
}

async function grant(app: FastifyInstance, clientId: string, secret: string) {
  return app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "client_credentials", client_id: clientId, client_secret: secret } });
}

void describe("tessera clients", () => {
  void it("create --json prints the id and the secret once; the server grants tokens with them; list never shows a secret", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const created = await runTessera(["clients", "create", "reporting", "--scope", "posts:read", "--owner", "ada", "--json"], { databaseUrl });
    assert.equal(created.code, 0, created.stderr);
    const client = JSON.parse(created.stdout) as CreatedJson;
    assert.match(client.client_id, /^tsr_ci_/);
    assert.match(client.client_secret, /^tsr_cs_/);
    assert.equal(client.owner_id, adaId);
    assert.equal(client.scope, "posts:read");
    const hashes = await withStore(databaseUrl, async (store) => (await store.tokens.listClientSecrets(client.client_id)).map((secret) => secret.secretHash));
    assert.equal(hashes.length, 1);
    assert.notEqual(hashes[0], client.client_secret, "only a hash is stored");

    const app = await makeApp({ TESSERA_DATABASE_URL: databaseUrl });
    try {
      const token = await grant(app, client.client_id, client.client_secret);
      assert.equal(token.statusCode, 200, token.body);
      assert.equal(token.json().scope, "posts:read");
    } finally {
      await app.close();
    }

    const json = await runTessera(["clients", "list", "--json"], { databaseUrl });
    assert.equal(json.code, 0, json.stderr);
    const listed = JSON.parse(json.stdout) as { client_id: string; name: string; owner_id: number | null }[];
    assert.deepEqual(listed.map((entry) => [entry.client_id, entry.name, entry.owner_id]), [[client.client_id, "reporting", adaId]]);
    const table = await runTessera(["clients", "list"], { databaseUrl });
    assert.match(table.stdout, /^CLIENT ID\s+NAME\s+SCOPE\s+OWNER/);
    for (const output of [json.stdout, table.stdout]) {
      for (const secret of [client.client_secret, ...hashes]) assert.ok(!output.includes(secret ?? "-"));
    }
  });

  void it("refuses a scope the owner may not hold, and a missing --scope is a usage error", async () => {
    const databaseUrl = makeDatabaseUrl();
    await createUser(databaseUrl, "ada");
    const refused = await runTessera(["clients", "create", "x", "--scope", "tokens:introspect", "--owner", "ada"], { databaseUrl });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not allowed/);
    const usage = await runTessera(["clients", "create", "x"], { databaseUrl });
    assert.equal(usage.code, 2);
  });

  void it("rotate-secret keeps the old secret live until the next rotation; revoke ends the client", async () => {
    const databaseUrl = makeDatabaseUrl();
    const client = JSON.parse((await runTessera(["clients", "create", "svc", "--scope", "tokens:introspect", "--json"], { databaseUrl })).stdout) as CreatedJson;
    const rotated = await runTessera(["clients", "rotate-secret", client.client_id, "--json"], { databaseUrl });
    assert.equal(rotated.code, 0, rotated.stderr);
    const second = JSON.parse(rotated.stdout) as { client_secret: string; secret_id: number; revoked_secret_ids: number[] };
    assert.deepEqual(second.revoked_secret_ids, []);

    let app = await makeApp({ TESSERA_DATABASE_URL: databaseUrl });
    let oldToken: string;
    try {
      const old = await grant(app, client.client_id, client.client_secret);
      assert.equal(old.statusCode, 200, "the old secret works while rotating");
      oldToken = old.json<{ access_token: string }>().access_token;
      assert.equal((await grant(app, client.client_id, second.client_secret)).statusCode, 200);
    } finally {
      await app.close();
    }

    const revokeOld = await runTessera(["clients", "rotate-secret", client.client_id, "--revoke-old", "--json"], { databaseUrl });
    const third = JSON.parse(revokeOld.stdout) as { client_secret: string; revoked_secret_ids: number[] };
    assert.deepEqual(third.revoked_secret_ids.sort(), [client.secret_id, second.secret_id].sort());

    const revoked = await runTessera(["clients", "revoke", client.client_id], { databaseUrl });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /revoked client tsr_ci_/);
    assert.equal((await runTessera(["clients", "revoke", client.client_id], { databaseUrl })).code, 1, "already revoked");

    app = await makeApp({ TESSERA_DATABASE_URL: databaseUrl });
    try {
      assert.equal((await grant(app, client.client_id, third.client_secret)).statusCode, 401);
      const introspect = await app.inject({
        method: "POST",
        url: "/oauth/introspect",
        headers: { authorization: `Bearer ${oldToken}` },
        payload: { token: oldToken },
      });
      assert.equal(introspect.statusCode, 401, "the revoked client's token is refused");
      assert.equal(introspect.json().code, "token_revoked");
    } finally {
      await app.close();
    }
  });

  void it("users create and keys rotate print records with --json", async () => {
    const databaseUrl = makeDatabaseUrl();
    const user = await runTessera(["users", "create", "grace", "--json"], { databaseUrl, stdin: "correct horse battery\n" });
    assert.equal(user.code, 0, user.stderr);
    const record = JSON.parse(user.stdout) as { id: number; username: string; is_admin: boolean };
    assert.equal(record.username, "grace");
    assert.equal(record.is_admin, false);
    assert.ok(Number.isSafeInteger(record.id));
    const key = await runTessera(["keys", "rotate", "--alg", "ES256", "--json"], { databaseUrl });
    assert.equal(key.code, 0, key.stderr);
    const rotated = JSON.parse(key.stdout) as { kid: string; alg: string };
    assert.equal(rotated.alg, "ES256");
    assert.equal(typeof rotated.kid, "string");
  });
});

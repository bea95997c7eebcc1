import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createUser, makeDatabaseUrl, openTessera, runTessera, withStore } from "../helpers.js";
import { createKeyRing } from "../../../src/core/jwt/index.js";

interface ListedKey {
  kid: string;
  alg: string;
  status: string;
  created_at: string;
  retired_at: string | null;
  expires_at: string | null;
}

async function listKeys(databaseUrl: string): Promise<ListedKey[]> {
  const result = await runTessera(["keys", "list", "--json"], { databaseUrl });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as ListedKey[];
}

void describe("tessera keys", () => {
  void it("lists no keys on a fresh database, and creates the first with rotate", async () => {
    const databaseUrl = makeDatabaseUrl();
    assert.equal((await runTessera(["migrate"], { databaseUrl })).code, 0);
    const empty = await runTessera(["keys", "list"], { databaseUrl });
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, "");
    assert.match(empty.stderr, /no signing keys yet/);

    const rotated = await runTessera(["keys", "rotate"], { databaseUrl });
    assert.equal(rotated.code, 0, rotated.stderr);
    const kid = rotated.stdout.trim();
    const keys = await listKeys(databaseUrl);
    assert.deepEqual(
      keys.map((key) => [key.kid, key.alg, key.status, key.retired_at]),
      [[kid, "EdDSA", "signing", null]],
      "exactly one key: loading the ring created it, rotate did not add a second",
    );
  });

  void it("rotates without breaking tokens already issued, and never prints private material", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const before = await withStore(databaseUrl, async (store) => {
      const tessera = await openTessera(store);
      try {
        const user = await store.users.getUserById(adaId);
        assert.ok(user);
        const pair = await tessera.startSession(user, { scope: "users:read" });
        return { accessToken: pair.accessToken, kid: createKeyRing(tessera.keys.records()).signingKey?.kid ?? "" };
      } finally {
        await tessera.close();
      }
    });

    const rotated = await runTessera(["keys", "rotate", "--alg", "ES256"], { databaseUrl });
    assert.equal(rotated.code, 0, rotated.stderr);
    const newKid = rotated.stdout.trim();
    assert.notEqual(newKid, before.kid);
    assert.match(rotated.stderr, /new ES256 signing key/);

    const keys = await listKeys(databaseUrl);
    const current = keys.find((key) => key.kid === newKid);
    const old = keys.find((key) => key.kid === before.kid);
    assert.equal(current?.status, "signing");
    assert.equal(current?.alg, "ES256");
    assert.equal(old?.status, "retired");
    assert.ok(old.retired_at !== null && old.expires_at !== null && old.expires_at > old.retired_at);
    assert.deepEqual(Object.keys(current).sort(), ["alg", "created_at", "expires_at", "kid", "retired_at", "status"]);

    const table = await runTessera(["keys", "list"], { databaseUrl });
    assert.match(table.stdout, /^KID\s+ALG\s+STATUS\s+CREATED\s+RETIRED\s+EXPIRES\n/);
    await withStore(databaseUrl, async (store) => {
      for (const record of await store.tokens.listSigningKeys()) {
        const jwk = JSON.parse(record.privateJwk) as { d?: string; k?: string };
        const secret = jwk.d ?? jwk.k ?? "";
        assert.ok(secret.length > 0);
        assert.ok(!table.stdout.includes(secret) && !rotated.stdout.includes(secret));
      }
      const tessera = await openTessera(store, { jwtAlg: "ES256" });
      try {
        assert.equal((await tessera.verify(before.accessToken)).ok, true, "the old key still verifies its tokens");
        assert.equal(createKeyRing(tessera.keys.records()).signingKey?.kid, newKid);
      } finally {
        await tessera.close();
      }
    });

    // Without --alg, rotation keeps the current key's algorithm.
    const again = await runTessera(["keys", "rotate"], { databaseUrl });
    assert.equal(again.code, 0);
    assert.equal((await listKeys(databaseUrl)).find((key) => key.status === "signing")?.alg, "ES256");
  });

  void it("does not rotate keys as a side effect of revoking (whatever TESSERA_JWT_ALG says)", async () => {
    const databaseUrl = makeDatabaseUrl();
    await createUser(databaseUrl, "ada");
    assert.equal((await runTessera(["keys", "rotate", "--alg", "HS256"], { databaseUrl })).code, 0);
    const before = await listKeys(databaseUrl);
    const result = await runTessera(["sessions", "revoke", "ada"], { databaseUrl, env: { TESSERA_JWT_ALG: "EdDSA" } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await listKeys(databaseUrl), before);
  });
});

// Security hardening, item 2: private signing keys and the refresh-derivation secret were stored
// in plain text, so a database dump alone could mint tokens. With TESSERA_SECRETS_KEY they are
// sealed (AES-256-GCM, key id stored with each value) and can be re-sealed under a new key.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createSecretsCipher, createTessera, sealTokenStore } from "../../src/index.js";
import { openTokenStore } from "../../src/stores/index.js";
import { runTessera } from "../cli/helpers.js";

const options = { issuer: "https://api.test", audience: "api", keyReloadIntervalMs: 0, revocationPollIntervalMs: 0 };

void describe("secrets at rest", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-sealed-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const oldKey = `k1:${randomBytes(32).toString("base64")}`;
  const newKey = `k2:${randomBytes(32).toString("base64")}`;
  const url = `sqlite:${join(dir, "tessera.db")}`;

  void it("seals private keys and secrets: the dump holds no key material, and the key opens it again", async () => {
    const store = await openTokenStore(url);
    await store.migrate();
    const tessera = await createTessera({ ...options, store: sealTokenStore(store, createSecretsCipher([oldKey])) });
    const token = tessera.issueAccessToken("7", { ttlSeconds: 600 }).accessToken;
    await tessera.close();

    const keys = await store.db.selectFrom("signing_keys").select("private_jwk").execute();
    const secrets = await store.db.selectFrom("secrets").select(["name", "value"]).execute();
    assert.ok(keys.length > 0);
    for (const row of keys) assert.match(row.private_jwk, /^tsr_enc:v1:k1:/, "the dump holds no usable private key");
    for (const row of secrets) assert.match(row.value, /^tsr_enc:v1:k1:/, `secret ${row.name} is sealed`);
    assert.throws(() => JSON.parse(keys[0]?.private_jwk ?? "") as unknown);

    // The same database with the key verifies its tokens; without it, it cannot start.
    const again = await createTessera({ ...options, store: sealTokenStore(store, createSecretsCipher([oldKey])) });
    assert.equal((await again.verify(token)).ok, true);
    await again.close();
    await assert.rejects(createTessera({ ...options, store }));
    await store.close();
  });

  void it("tessera secrets rekey re-seals everything under a new key, after which the old key can go", async () => {
    const rekeyed = await runTessera(["secrets", "rekey"], { databaseUrl: url, env: { TESSERA_SECRETS_KEY: `${newKey},${oldKey}` } });
    assert.equal(rekeyed.code, 0, rekeyed.stderr);
    assert.match(rekeyed.stdout, /re-sealed \d+ signing key\(s\) and \d+ secret\(s\) with key "k2"/);
    const store = await openTokenStore(url);
    try {
      for (const row of await store.db.selectFrom("signing_keys").select("private_jwk").execute()) assert.match(row.private_jwk, /^tsr_enc:v1:k2:/);
      const tessera = await createTessera({ ...options, store: sealTokenStore(store, createSecretsCipher([newKey])) });
      await tessera.close();
    } finally {
      await store.close();
    }
  });
});

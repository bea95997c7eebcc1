// Security hardening, item 3: the first signing key's private JWK was also kept in the secrets
// table and re-adopted as the signing key if the key table was emptied.
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { createTessera } from "../../src/index.js";
import { createKeyRing } from "../../src/core/jwt/index.js";
import { openTokenStore } from "../../src/stores/index.js";

void it("keeps no copy of a signing key outside the key table, and an emptied key table gets a new key", async () => {
  let now = Date.UTC(2026, 0, 1);
  const store = await openTokenStore("sqlite::memory:");
  await store.migrate();
  const options = { store, clock: { now: () => now }, issuer: "https://api.test", audience: "api", keyReloadIntervalMs: 0, revocationPollIntervalMs: 0 };
  const instances = await Promise.all([createTessera(options), createTessera(options)]);
  try {
    const kids = new Set(instances.map((instance) => createKeyRing(instance.keys.records()).signingKey?.kid));
    assert.equal(kids.size, 1, "instances starting together agree on one key");
    const [first] = [...kids];
    const secrets = await store.db.selectFrom("secrets").select(["name", "value"]).execute();
    for (const secret of secrets) assert.ok(!secret.value.includes('"d"') && !secret.value.includes("private"), `secret ${secret.name} holds no key material`);
    await store.db.deleteFrom("signing_keys").execute();
    now += 60_000;
    const restarted = await createTessera(options);
    try {
      assert.notEqual(createKeyRing(restarted.keys.records()).signingKey?.kid, first, "the old key is not resurrected");
    } finally {
      await restarted.close();
    }
  } finally {
    for (const instance of instances) await instance.close();
    await store.close();
  }
});

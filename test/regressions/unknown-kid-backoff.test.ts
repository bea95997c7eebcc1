// Security hardening, item 12: an unknown kid reloaded the key ring on every request with no
// backoff while the database was down, and a forged token then got 503 instead of 401.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTessera, type TokenStore } from "../../src/index.js";
import { createKeyRing, generateSigningKey, issueAccessToken } from "../../src/core/jwt/index.js";
import { openTokenStore } from "../../src/stores/index.js";

void describe("unknown kid while the store is down", () => {
  void it("answers 401 token_invalid, never throws, and backs off its reloads", async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = { now: () => now };
    const real = await openTokenStore("sqlite::memory:");
    await real.migrate();
    let keyReads = 0;
    let down = false;
    // The real store, observed: counts key reads and refuses them while "down".
    const store: TokenStore = {
      ...real,
      listSigningKeys: async () => {
        keyReads += 1;
        if (down) throw new Error("database is unavailable");
        return real.listSigningKeys();
      },
    };
    const tessera = await createTessera({ store, issuer: "https://api.test", audience: "api", clock, keyReloadIntervalMs: 0, revocationPollIntervalMs: 0 });
    try {
      const foreign = createKeyRing([await generateSigningKey({ alg: "EdDSA", now })]);
      const forged = issueAccessToken(foreign, { sub: "1", scope: "", ttlSeconds: 600, issuer: "https://api.test", audience: "api", now }).token;
      down = true;
      keyReads = 0;
      now += 1_000;
      for (let i = 0; i < 20; i++) {
        const result = await tessera.verify(forged);
        assert.deepEqual(result, { ok: false, code: "token_invalid" });
      }
      assert.equal(keyReads, 1, "one reload attempt, then backoff");
      now += 300; // past the 250 ms floor, inside the doubled wait
      await tessera.verify(forged);
      assert.equal(keyReads, 1);
      now += 300;
      await tessera.verify(forged);
      assert.equal(keyReads, 2);
    } finally {
      await tessera.close();
      await real.close();
    }
  });
});

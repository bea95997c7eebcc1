// Security hardening, item 14: a rotation retired the old key after the rotating process's own
// TTL, so `tessera keys rotate` run with a shorter TTL than a server's could invalidate live tokens.
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { createTessera } from "../../src/index.js";
import { openTokenStore } from "../../src/stores/index.js";

void it("a retired key keeps verifying for the longest TTL any instance may issue, whatever the rotating process's TTL", async () => {
  let now = Date.UTC(2026, 0, 1);
  const store = await openTokenStore("sqlite::memory:");
  await store.migrate();
  const options = { store, issuer: "https://api.test", audience: "api", clock: { now: () => now }, keyReloadIntervalMs: 0, revocationPollIntervalMs: 0 };
  const server = await createTessera({ ...options, accessTokenTtlSeconds: 86_400 });
  const operator = await createTessera({ ...options, accessTokenTtlSeconds: 60 });
  try {
    const token = server.issueAccessToken("7", { ttlSeconds: 86_400 }).accessToken;
    await operator.keys.rotate();
    now += 23 * 3_600_000;
    // A server (re)started now reads the ring as the rotation left it.
    const restarted = await createTessera({ ...options, accessTokenTtlSeconds: 86_400 });
    try {
      const verified = await restarted.verify(token);
      assert.equal(verified.ok ? "ok" : verified.code, "ok");
    } finally {
      await restarted.close();
    }
  } finally {
    await server.close();
    await operator.close();
    await store.close();
  }
});

// tessera.explain over a real SQLite store: the facts only the key ring and the configuration
// know (a retired signing key, another audience), and that explaining changes nothing.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTessera } from "../../src/index.js";
import { createFixture } from "./helpers.js";

const PASSWORD = "correct horse battery staple";

void describe("tessera.explain", () => {
  it("names a retired signing key, and an audience that is not this one's", async () => {
    const fixture = await createFixture();
    const elsewhere = await createTessera({ store: fixture.store, issuer: "https://api.test", audience: "other-api", clock: fixture.clock, revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 });
    try {
      await fixture.addUser("ada", PASSWORD);
      const login = await fixture.tessera.login("ada", PASSWORD);
      assert.ok(login.ok);
      await fixture.tessera.keys.rotate();
      const retired = await fixture.tessera.explain(login.pair.accessToken);
      assert.equal(retired.accepted, true, "a retired key still verifies");
      assert.equal(retired.signingKey?.retired, true);
      assert.ok(retired.explanation.some((sentence) => sentence.includes("retired")));

      const foreign = elsewhere.issueAccessToken("ada-id", { scope: "" }).accessToken;
      const explained = await fixture.tessera.explain(foreign);
      assert.equal(explained.accepted, false);
      assert.equal(explained.code, "token_invalid");
      assert.deepEqual(explained.audience, { expected: "api", actual: "other-api" });
      assert.ok(explained.explanation.some((sentence) => sentence.startsWith("Audience mismatch")));
      assert.ok(!explained.explanation.join(" ").includes(foreign), "never the token itself");
    } finally {
      await elsewhere.close();
      await fixture.close();
    }
  });

  it("explaining uses nothing up: no last-used stamp, no audit event", async () => {
    const fixture = await createFixture({ audit: { flushIntervalMs: 0 } });
    try {
      const ada = await fixture.addUser("ada", PASSWORD);
      const pat = await fixture.tessera.personalAccessTokens.create(ada.id, { name: "ci", scope: "notes:read" });
      await fixture.tessera.audit.flush();
      const before = (await fixture.tessera.audit.list({ limit: 100 })).length;
      const explained = await fixture.tessera.explain(pat.token);
      assert.equal(explained.accepted, true);
      assert.equal(explained.kind, "personal_access_token");
      await fixture.tessera.audit.flush();
      assert.equal((await fixture.tessera.audit.list({ limit: 100 })).length, before);
      assert.equal((await fixture.store.getTokenById(pat.record.id))?.lastUsedAt, null);
    } finally {
      await fixture.close();
    }
  });
});

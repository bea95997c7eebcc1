// Security hardening, item 10: every revocation (an access token, a session, a personal access
// token) was kept in every instance's memory until it expired, with nothing bounding how many
// one account could pile up: a user who refreshes and revokes in a loop grew every instance's
// memory without limit. Past `maxRevocationsPerUser` live entries, one user-wide cut-off
// replaces theirs: the user's access tokens so far and stored tokens are revoked, sessions refresh on.
import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTessera } from "../../src/index.js";
import { createFixture, type Fixture, type TestUser } from "../auth/helpers.js";

const CAP = 20;
const code = (result: { ok: boolean; code?: string }) => (result.ok ? "ok" : result.code);

void describe("revocation entries are bounded per user", () => {
  let fixture: Fixture;
  let ada: TestUser;
  before(async () => {
    fixture = await createFixture({ maxRevocationsPerUser: CAP });
    ada = await fixture.addUser("ada", "correct horse battery");
    await fixture.addUser("bob", "correct horse battery");
  });
  after(() => fixture.close());

  void it("keeps at most the cap of one user's entries, and every token revoked stays refused, here and on a new instance", async () => {
    const { tessera } = fixture;
    const session = await tessera.login("ada", "correct horse battery");
    const bob = await tessera.login("bob", "correct horse battery");
    assert.ok(session.ok && bob.ok);
    const pat = await tessera.personalAccessTokens.create(ada.id, { name: "ci", scope: "notes:read" });
    const bobEntriesBefore = tessera.stats().revocationEntries;

    const revoked: string[] = [];
    for (let i = 0; i < CAP * 3; i++) {
      const { accessToken } = tessera.issueAccessToken(ada.id, { scope: "notes:read" });
      const verified = await tessera.verify(accessToken);
      assert.ok(verified.ok);
      await tessera.revokeAccessToken(verified.principal);
      revoked.push(accessToken);
      fixture.clock.advance(1);
      assert.ok(tessera.stats().revocationEntries <= bobEntriesBefore + CAP + 1, `${tessera.stats().revocationEntries} entries after ${i + 1} revocations`);
    }
    for (const token of revoked) assert.equal(code(await tessera.verify(token)), "token_revoked");

    // The price of passing the cap: Ada's access tokens so far and her PAT are refused, the PAT
    // durably (revoked in the store); her session refreshes into a working access token.
    assert.equal(code(await tessera.verify(session.pair.accessToken)), "token_revoked");
    assert.equal(code(await tessera.verify(pat.token)), "token_revoked");
    assert.equal((await fixture.store.listTokens(ada.id, "pat")).length, 0);
    fixture.clock.advance(1);
    const refreshed = await tessera.refresh(session.pair.refreshToken);
    assert.ok(refreshed.ok);
    assert.equal(code(await tessera.verify(refreshed.pair.accessToken)), "ok");
    // Nobody else is touched, and Ada can log in again.
    assert.equal(code(await tessera.verify(bob.pair.accessToken)), "ok");
    const again = await tessera.login("ada", "correct horse battery");
    assert.ok(again.ok);
    assert.equal(code(await tessera.verify(again.pair.accessToken)), "ok");

    // Another instance over the same store loads the entries bounded too, and refuses the same tokens.
    const other = await createTessera({ store: fixture.store, issuer: "https://api.test", audience: "api", clock: fixture.clock, maxRevocationsPerUser: CAP, revocationPollIntervalMs: 0, keyReloadIntervalMs: 0 });
    try {
      assert.ok(other.stats().revocationEntries <= CAP + 1, `${other.stats().revocationEntries} entries loaded`);
      for (const token of revoked) assert.equal(code(await other.verify(token)), "token_revoked");
      assert.equal(code(await other.verify(again.pair.accessToken)), "ok");
    } finally {
      await other.close();
    }
  });

  void it("refuses a cap that is not a positive integer", async () => {
    await assert.rejects(createFixture({ maxRevocationsPerUser: 0 }), { code: "config_invalid" });
  });
});

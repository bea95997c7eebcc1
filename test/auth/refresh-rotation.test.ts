import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFixture, type Fixture, type TestUser } from "./helpers.js";

void describe("refresh rotation", () => {
  let fixture: Fixture;
  let ada: TestUser;
  before(async () => {
    fixture = await createFixture({ refreshReuseGraceSeconds: 10 });
    ada = await fixture.addUser("ada", "correct horse battery");
  });
  after(() => fixture.close());

  async function login(scope?: string) {
    const result = await fixture.tessera.login("ada", "correct horse battery", scope === undefined ? {} : { scope });
    assert.ok(result.ok);
    return result.pair;
  }

  void it("hands out a new pair and spends the old refresh token", async () => {
    const first = await login();
    const second = await fixture.tessera.refresh(first.refreshToken);
    assert.ok(second.ok);
    assert.notEqual(second.pair.refreshToken, first.refreshToken);
    assert.equal(second.pair.sessionId, first.sessionId);
    const verified = await fixture.tessera.verify(second.pair.accessToken);
    assert.ok(verified.ok);
    assert.equal(verified.principal.userId, ada.id);
  });

  void it("gives concurrent refreshes inside the grace window the same successor, and extends the chain once", async () => {
    const first = await login();
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => fixture.tessera.refresh(first.refreshToken)));
    const successors = new Set(results.map((result) => (result.ok ? result.pair.refreshToken : result.code)));
    assert.equal(successors.size, 1);
    const [successor] = successors;
    assert.match(String(successor), /^tsr_rt_/);
    // The chain has exactly one live end: the successor refreshes, and the session lives on.
    const next = await fixture.tessera.refresh(String(successor));
    assert.ok(next.ok);
  });

  void it("treats a replay after the grace window as theft: the session and its tokens are revoked", async () => {
    const first = await login();
    const second = await fixture.tessera.refresh(first.refreshToken);
    assert.ok(second.ok);
    fixture.clock.advance(11_000);
    const replay = await fixture.tessera.refresh(first.refreshToken);
    assert.deepEqual(replay.ok ? "ok" : replay.code, "token_revoked");
    const successor = await fixture.tessera.refresh(second.pair.refreshToken);
    assert.equal(successor.ok ? "ok" : successor.code, "token_revoked");
    const access = await fixture.tessera.verify(second.pair.accessToken);
    assert.equal(access.ok ? "ok" : access.code, "token_revoked");
  });

  void it("treats a replay inside the window as reuse once the chain has moved past the successor", async () => {
    const first = await login();
    const second = await fixture.tessera.refresh(first.refreshToken);
    assert.ok(second.ok);
    const third = await fixture.tessera.refresh(second.pair.refreshToken);
    assert.ok(third.ok);
    fixture.clock.advance(1_000);
    const replay = await fixture.tessera.refresh(first.refreshToken);
    assert.equal(replay.ok ? "ok" : replay.code, "token_revoked");
    const live = await fixture.tessera.refresh(third.pair.refreshToken);
    assert.equal(live.ok ? "ok" : live.code, "token_revoked");
  });

  void it("narrows the scope on request, never widens it, and keeps the token when it refuses", async () => {
    const first = await login("notes:read");
    const widened = await fixture.tessera.refresh(first.refreshToken, { scope: "notes:read notes:write" });
    assert.equal(widened.ok ? "ok" : widened.code, "validation_failed");
    // The refused request did not spend the token.
    const full = await login();
    const narrowed = await fixture.tessera.refresh(full.refreshToken, { scope: "notes:read" });
    assert.ok(narrowed.ok);
    assert.equal(narrowed.pair.scope, "notes:read");
    const again = await fixture.tessera.refresh(first.refreshToken);
    assert.ok(again.ok);
    assert.equal(again.pair.scope, "notes:read");
  });

  void it("expires a refresh token after its lifetime and refuses malformed or unknown ones", async () => {
    const first = await login();
    fixture.clock.advance(31 * 86_400_000);
    const expired = await fixture.tessera.refresh(first.refreshToken);
    assert.equal(expired.ok ? "ok" : expired.code, "token_expired");
    const malformed = await fixture.tessera.refresh("tsr_rt_nope");
    assert.equal(malformed.ok ? "ok" : malformed.code, "token_malformed");
  });
});

void describe("refresh rotation without a grace window", () => {
  void it("revokes the session even for a replay in the same millisecond", async () => {
    const fixture = await createFixture({ refreshReuseGraceSeconds: 0 });
    try {
      await fixture.addUser("bob", "correct horse battery");
      const login = await fixture.tessera.login("bob", "correct horse battery");
      assert.ok(login.ok);
      const [a, b] = await Promise.all([fixture.tessera.refresh(login.pair.refreshToken), fixture.tessera.refresh(login.pair.refreshToken)]);
      const outcomes = [a.ok ? "ok" : a.code, b.ok ? "ok" : b.code].sort();
      // Exactly one rotation wins; the loser is reuse, which revokes the session (the winner's pair too).
      assert.deepEqual(outcomes, ["ok", "token_revoked"]);
      const winner = a.ok ? a : b.ok ? b : null;
      assert.ok(winner !== null && winner.ok);
      const access = await fixture.tessera.verify(winner.pair.accessToken);
      assert.equal(access.ok ? "ok" : access.code, "token_revoked");
    } finally {
      await fixture.close();
    }
  });
});

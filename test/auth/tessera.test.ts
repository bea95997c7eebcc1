import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { createGuard } from "../../src/http/index.js";
import { createFixture, type Fixture, type TestUser } from "./helpers.js";

const code = (result: { ok: boolean; code?: string }) => (result.ok ? "ok" : result.code);

void describe("createTessera", () => {
  let fixture: Fixture;
  let ada: TestUser;
  before(async () => {
    fixture = await createFixture();
    ada = await fixture.addUser("ada", "correct horse battery");
  });
  after(() => fixture.close());

  void it("logs a user of the app's own table in, with the scopes the app grants", async () => {
    const login = await fixture.tessera.login("ada", "correct horse battery");
    assert.ok(login.ok);
    assert.equal(login.user.id, ada.id);
    assert.equal(login.pair.scope, "notes:read notes:write");
    const verified = await fixture.tessera.verify(login.pair.accessToken);
    assert.ok(verified.ok);
    assert.deepEqual(
      { userId: verified.principal.userId, tokenType: verified.principal.tokenType, scopes: verified.principal.scopes },
      { userId: ada.id, tokenType: "access_token", scopes: ["notes:read", "notes:write"] },
    );
  });

  void it("answers credentials_invalid alike for an unknown user and a wrong password, and refuses scopes it does not grant", async () => {
    assert.equal(code(await fixture.tessera.login("nobody", "correct horse battery")), "credentials_invalid");
    assert.equal(code(await fixture.tessera.login("ada", "wrong")), "credentials_invalid");
    assert.equal(code(await fixture.tessera.login("ada", "correct horse battery", { scope: "admin" })), "validation_failed");
  });

  void it("grants no scope at all when the app names none", async () => {
    const bare = await createFixture({ scopes: [] });
    try {
      await bare.addUser("zed", "correct horse battery");
      const login = await bare.tessera.login("zed", "correct horse battery");
      assert.ok(login.ok);
      assert.equal(login.pair.scope, "");
    } finally {
      await bare.close();
    }
  });

  void it("verifies an imported bcrypt hash and hands the app an argon2id one to store", async () => {
    const id = "legacy-1";
    fixture.users.set(id, { id, username: "legacy", passwordHash: bcrypt.hashSync("old password!", 4) });
    assert.ok((await fixture.tessera.login("legacy", "old password!")).ok);
    assert.match(fixture.users.get(id)?.passwordHash ?? "", /^\$argon2id\$/);
    assert.ok((await fixture.tessera.login("legacy", "old password!")).ok);
  });

  void it("logs out what authenticated: an access token takes its session along, a PAT only itself", async () => {
    const login = await fixture.tessera.login("ada", "correct horse battery");
    assert.ok(login.ok);
    const pat = await fixture.tessera.personalAccessTokens.create(ada.id, { name: "ci", scope: "notes:read" });
    const patPrincipal = await fixture.tessera.verify(pat.token);
    assert.ok(patPrincipal.ok);
    assert.equal(patPrincipal.principal.tokenType, "personal_access_token");
    await fixture.tessera.logout(patPrincipal.principal);
    assert.equal(code(await fixture.tessera.verify(pat.token)), "token_revoked");
    assert.equal(code(await fixture.tessera.verify(login.pair.accessToken)), "ok");

    const access = await fixture.tessera.verify(login.pair.accessToken);
    assert.ok(access.ok);
    await fixture.tessera.logout(access.principal);
    assert.equal(code(await fixture.tessera.verify(login.pair.accessToken)), "token_revoked");
    assert.equal(code(await fixture.tessera.refresh(login.pair.refreshToken)), "token_revoked");
  });

  void it("issues app tokens hashed at rest, verifies them by kind, and hands a live one back with reuseIfValidFor", async () => {
    const first = await fixture.tessera.tokens.issue(ada.id, { kind: "api", ttlSeconds: 3600, reuseIfValidFor: 60 });
    assert.match(first.token, /^tsr_api_/);
    assert.notEqual(first.record.tokenHash, first.token);
    const again = await fixture.tessera.tokens.issue(ada.id, { kind: "api", ttlSeconds: 3600, reuseIfValidFor: 60 });
    assert.equal(again.token, first.token);
    const verified = await fixture.tessera.tokens.verify(first.token, { kind: "api" });
    assert.ok(verified.ok);
    assert.equal(verified.principal.tokenType, "app_token");
    assert.equal(code(await fixture.tessera.tokens.verify(first.token, { kind: "reset" })), "token_invalid");
    // A bearer verifier accepts access tokens and PATs by default, not app tokens.
    assert.equal(code(await fixture.tessera.verify(first.token)), "token_invalid");
    // Near its end it is replaced, and the old one is revoked.
    fixture.clock.advance(3_570_000);
    const replaced = await fixture.tessera.tokens.issue(ada.id, { kind: "api", ttlSeconds: 3600, reuseIfValidFor: 60 });
    assert.notEqual(replaced.token, first.token);
    assert.equal(code(await fixture.tessera.tokens.verify(first.token, { kind: "api" })), "token_revoked");
    assert.equal(code(await fixture.tessera.tokens.verify(replaced.token, { kind: "api" })), "ok");
    await assert.rejects(fixture.tessera.tokens.issue(ada.id, { kind: "pat" }), TypeError);
  });

  void it("mints a live app token, not the revoked one, when a token is revoked and re-issued in the same millisecond", async () => {
    const first = await fixture.tessera.tokens.issue(ada.id, { kind: "relog", ttlSeconds: 120, reuseIfValidFor: 60 });
    const verified = await fixture.tessera.tokens.verify(first.token, { kind: "relog" });
    assert.ok(verified.ok);
    await fixture.tessera.logout(verified.principal);
    // The clock has not moved: the same row fields would derive the same (revoked) value.
    const next = await fixture.tessera.tokens.issue(ada.id, { kind: "relog", ttlSeconds: 120, reuseIfValidFor: 60 });
    assert.notEqual(next.token, first.token);
    assert.equal(code(await fixture.tessera.tokens.verify(next.token, { kind: "relog" })), "ok");
  });

  void it("asks for the password again unless the login is recent", async () => {
    const login = await fixture.tessera.login("ada", "correct horse battery");
    assert.ok(login.ok);
    const verified = await fixture.tessera.verify(login.pair.accessToken);
    assert.ok(verified.ok);
    assert.equal(code(await fixture.tessera.confirmIdentity(verified.principal)), "ok");
    fixture.clock.advance(6 * 60_000);
    assert.equal(code(await fixture.tessera.confirmIdentity(verified.principal)), "credentials_invalid");
    assert.equal(code(await fixture.tessera.confirmIdentity(verified.principal, { password: "wrong" })), "credentials_invalid");
    assert.equal(code(await fixture.tessera.confirmIdentity(verified.principal, { password: "correct horse battery" })), "ok");
  });

  void it("forgets a user the app deleted: every token dies and the rows go", async () => {
    const gone = await fixture.addUser("gone", "correct horse battery");
    const login = await fixture.tessera.login("gone", "correct horse battery");
    assert.ok(login.ok);
    const pat = await fixture.tessera.personalAccessTokens.create(gone.id, { name: "x", scope: "" });
    fixture.users.delete(gone.id);
    await fixture.tessera.forgetUser(gone.id);
    assert.equal(code(await fixture.tessera.verify(login.pair.accessToken)), "token_revoked");
    assert.notEqual(code(await fixture.tessera.verify(pat.token)), "ok");
    assert.deepEqual(await fixture.tessera.sessions.list(gone.id), []);
    assert.deepEqual(await fixture.tessera.personalAccessTokens.list(gone.id), []);
  });

  void it("introspects every kind of token without changing anything", async () => {
    const login = await fixture.tessera.login("ada", "correct horse battery");
    assert.ok(login.ok);
    assert.equal((await fixture.tessera.introspect(login.pair.accessToken))?.tokenType, "access_token");
    assert.equal((await fixture.tessera.introspect(login.pair.refreshToken))?.tokenType, "refresh_token");
    assert.equal(await fixture.tessera.introspect("garbage"), null);
  });

  void it("builds Basic and bearer verifiers that map to the app's user", async () => {
    const basic = createGuard({ schemes: [fixture.tessera.basic()] });
    const header = (value: string) => ({ header: (name: string) => (name === "authorization" ? value : undefined), method: "GET", url: "/" });
    const ok = await basic.authenticate(header(`Basic ${Buffer.from("ada:correct horse battery").toString("base64")}`));
    assert.ok(ok.ok);
    assert.equal(ok.auth.username, "ada");
    const bad = await basic.authenticate(header(`Basic ${Buffer.from("ada:nope").toString("base64")}`));
    assert.equal(bad.ok ? "ok" : bad.code, "credentials_invalid");

    const login = await fixture.tessera.login("ada", "correct horse battery");
    assert.ok(login.ok);
    const bearer = createGuard({ schemes: [fixture.tessera.bearer({ load: (principal) => fixture.users.get(principal.userId) })] });
    const found = await bearer.authenticate(header(`Bearer ${login.pair.accessToken}`));
    assert.ok(found.ok);
    assert.equal(found.auth.username, "ada");
  });
});

// The facade's machine clients over a real SQLite store: the grant, which verifiers take client
// tokens, expiry on the injected clock, and revocation through the owner.
import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFixture, type Fixture } from "./helpers.js";

void describe("tessera.clients", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await createFixture();
  });
  after(() => fixture.close());

  async function newClient(scope: string, ownerId: string | null = null) {
    const created = await fixture.tessera.clients.create({ name: "svc", scope, ownerId });
    assert.ok(created.ok);
    return created;
  }

  it("client tokens verify only where `client` is accepted, and expire on the clock", async () => {
    const { client, secret } = await newClient("notes:read");
    const granted = await fixture.tessera.clients.issueToken(client.id, secret);
    assert.ok(granted.ok);
    assert.equal(granted.scope, "notes:read");
    assert.deepEqual(await fixture.tessera.verify(granted.accessToken), { ok: false, code: "token_invalid" }, "not taken by default");
    const verified = await fixture.tessera.verify(granted.accessToken, { accept: ["client"] });
    assert.ok(verified.ok);
    assert.equal(verified.principal.tokenType, "client_token");
    assert.equal(verified.principal.clientId, client.id);
    assert.equal(verified.principal.userId, "");
    assert.equal(verified.principal.sessionId, null);

    const user = await fixture.addUser("ada", "correct horse battery staple");
    const login = await fixture.tessera.login("ada", "correct horse battery staple");
    assert.ok(login.ok);
    assert.deepEqual(await fixture.tessera.verify(login.pair.accessToken, { accept: ["client"] }), { ok: false, code: "token_invalid" }, "a login's token is not a client's");
    assert.ok(user.id);

    fixture.clock.advance(fixture.tessera.accessTokenTtlSeconds * 1000 + 1000);
    assert.deepEqual(await fixture.tessera.verify(granted.accessToken, { accept: ["client"] }), { ok: false, code: "token_expired" });
  });

  it("refuses a wrong secret, a scope beyond the client's, and claims only client tokens carry", async () => {
    const { client, secret } = await newClient("notes:read");
    const other = await newClient("notes:read");
    assert.deepEqual(await fixture.tessera.clients.issueToken(client.id, other.secret), { ok: false, code: "invalid_client", detail: "Client authentication failed" });
    const wider = await fixture.tessera.clients.issueToken(client.id, secret, { scope: "notes:write" });
    assert.equal(wider.ok ? "ok" : wider.code, "validation_failed");
    assert.throws(() => fixture.tessera.issueAccessToken("someone", { claims: { client_id: "someone" } }), TypeError);
  });

  it("an owned client's tokens act for the owner and die with a revokeUser of the owner", async () => {
    const owner = await fixture.addUser("grace", "correct horse battery staple");
    const { client, secret } = await newClient("notes:read", owner.id);
    const granted = await fixture.tessera.clients.issueToken(client.id, secret);
    assert.ok(granted.ok);
    const verified = await fixture.tessera.verify(granted.accessToken, { accept: ["client"] });
    assert.ok(verified.ok);
    assert.equal(verified.principal.userId, owner.id);
    fixture.clock.advance(1);
    await fixture.tessera.revokeUser(owner.id);
    assert.deepEqual(await fixture.tessera.verify(granted.accessToken, { accept: ["client"] }), { ok: false, code: "token_revoked" });
  });
});

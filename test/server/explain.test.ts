// Explaining a refusal over real HTTP: POST /api/admin/explain says what a token is and why it
// is refused (expiry, revocation with who/when/how from the audit log), while the client's 401
// stays the bare code. GET /api/me/tokens and sessions carry the same facts.
import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { bearer, login, makeAppWithAdmin, register } from "./helpers.js";

interface Explained {
  accepted: boolean;
  code: string | null;
  kind: string;
  explanation: string[];
  user_id: string | null;
  client_id: string | null;
  session_id: number | null;
  token_id: number | null;
  scopes: string[];
  expires_at: string | null;
  signing_key: { kid: string; known: boolean; retired: boolean } | null;
  revocation: { at: string | null; how: string; event: { via: string | null; ip: string | null; type: string } | null } | null;
}

void describe("explain", () => {
  let now = Date.now();
  const clock = { now: () => now };
  let app: FastifyInstance;
  let admin: string;
  let adaId: number;

  async function explain(token: string): Promise<Explained> {
    const response = await app.inject({ method: "POST", url: "/api/admin/explain", headers: bearer(admin), payload: { token } });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Explained>();
  }

  before(async () => {
    app = await makeAppWithAdmin({}, { clock });
    admin = (await login(app, "root")).access_token;
    adaId = (await register(app, "ada")).id;
  });
  after(() => app.close());

  it("a live access token: accepted, whose, which session and key", async () => {
    const pair = await login(app, "ada");
    const explained = await explain(pair.access_token);
    assert.equal(explained.accepted, true);
    assert.equal(explained.code, null);
    assert.equal(explained.kind, "access_token");
    assert.equal(explained.user_id, String(adaId));
    assert.equal(typeof explained.session_id, "number");
    assert.deepEqual(explained.signing_key && { known: explained.signing_key.known, retired: explained.signing_key.retired }, { known: true, retired: false });
    assert.match(explained.explanation[0] ?? "", /^Accepted/);
  });

  it("a logged-out token: the client gets token_revoked only; the admin learns who revoked it, when and how", async () => {
    const pair = await login(app, "ada");
    const logout = await app.inject({ method: "DELETE", url: "/api/tokens", headers: { ...bearer(pair.access_token), "user-agent": "ada-laptop" } });
    assert.equal(logout.statusCode, 204);
    const refused = await app.inject({ method: "GET", url: "/api/me", headers: bearer(pair.access_token) });
    assert.equal(refused.statusCode, 401);
    assert.deepEqual(Object.keys(refused.json()).sort(), ["code", "detail", "status", "title", "type"], "nothing more than the problem");
    assert.ok(!refused.body.includes("DELETE"), "no explanation in the 401");

    const explained = await explain(pair.access_token);
    assert.equal(explained.accepted, false);
    assert.equal(explained.code, "token_revoked");
    assert.match(explained.revocation?.how ?? "", /^revoked at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by DELETE \/api\/tokens from 127\.0\.0\.1 \(user \d+\)/);
    assert.equal(explained.revocation?.event?.via, "DELETE /api/tokens");
    assert.match(explained.explanation[0] ?? "", /^Refused \(token_revoked\): revoked at/);

    const refresh = await explain(pair.refresh_token);
    assert.equal(refresh.kind, "refresh_token");
    assert.equal(refresh.code, "token_revoked");
    assert.match(refresh.revocation?.how ?? "", /by DELETE \/api\/tokens/);
  });

  it("an expired token says how long ago; a PAT revoked by its owner says by which route", async () => {
    const pair = await login(app, "ada");
    const pat = await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(pair.access_token), payload: { name: "ci", scope: "posts:read" } });
    const created = pat.json<{ id: number; token: string }>();
    assert.equal((await app.inject({ method: "DELETE", url: `/api/me/tokens/${created.id}`, headers: bearer(pair.access_token) })).statusCode, 204);
    const revokedPat = await explain(created.token);
    assert.equal(revokedPat.kind, "personal_access_token");
    assert.equal(revokedPat.token_id, created.id);
    assert.equal(revokedPat.code, "token_revoked");
    assert.match(revokedPat.revocation?.how ?? "", /by DELETE \/api\/me\/tokens\/:id from 127\.0\.0\.1/);

    now += 900_000 + 32_000; // the access token's 15 minutes, and 32 s more
    admin = (await login(app, "root")).access_token;
    const expired = await explain(pair.access_token);
    assert.equal(expired.code, "token_expired");
    // exp is whole seconds: 32 s after the expiry, give or take the rounding of the login's time.
    const ago = Math.round((now - Date.parse(expired.expires_at ?? "")) / 1000);
    assert.ok(ago >= 32 && ago <= 33, String(ago));
    assert.match(expired.explanation[0] ?? "", new RegExp(`expired ${ago} s ago`));
  });

  it("machine clients' tokens and secrets", async () => {
    const created = (
      await app.inject({ method: "POST", url: "/api/admin/clients", headers: bearer(admin), payload: { name: "svc", scope: "posts:read", owner_id: adaId } })
    ).json<{ client_id: string; client_secret: string }>();
    const secret = await explain(created.client_secret);
    assert.equal(secret.kind, "client_secret");
    assert.equal(secret.accepted, false);
    const token = (
      await app.inject({ method: "POST", url: "/oauth/token", payload: { grant_type: "client_credentials", client_id: created.client_id, client_secret: created.client_secret } })
    ).json<{ access_token: string }>().access_token;
    const live = await explain(token);
    assert.equal(live.kind, "client_token");
    assert.equal(live.client_id, created.client_id);
    assert.equal(live.user_id, String(adaId));
    assert.equal(live.accepted, true);
    now += 1; // the revocation cuts off what was issued before it
    assert.equal((await app.inject({ method: "DELETE", url: `/api/admin/clients/${created.client_id}`, headers: bearer(admin) })).statusCode, 204);
    const revoked = await explain(token);
    assert.equal(revoked.code, "token_revoked");
    assert.match(revoked.revocation?.how ?? "", /by DELETE \/api\/admin\/clients\/:id/);
  });

  it("garbage is explained, not a 500; only admins may ask", async () => {
    for (const token of ["hello", "a.b.c", "tsr_pat_short", "tsr_zz_" + "A".repeat(49)]) {
      const explained = await explain(token);
      assert.equal(explained.accepted, false, token);
      assert.ok(["token_malformed", "token_invalid"].includes(explained.code ?? ""), `${token}: ${explained.code}`);
    }
    const ada = (await login(app, "ada")).access_token;
    assert.equal((await app.inject({ method: "POST", url: "/api/admin/explain", headers: bearer(ada), payload: { token: ada } })).statusCode, 403);
  });

  it("GET /api/me/tokens and /api/me/sessions carry the same facts", async () => {
    const pair = await login(app, "ada");
    await app.inject({ method: "POST", url: "/api/me/tokens", headers: bearer(pair.access_token), payload: { name: "short", scope: "posts:read", expires_in: 60 } });
    const tokens = (await app.inject({ method: "GET", url: "/api/me/tokens", headers: bearer(pair.access_token) })).json<{ name: string; status: string; explanation: string }[]>();
    const short = tokens.find((token) => token.name === "short");
    assert.equal(short?.status, "active");
    assert.match(short?.explanation ?? "", /^Accepted; scope "posts:read", created .*, expires in 60 s, never used\.$/);
    const sessions = (await app.inject({ method: "GET", url: "/api/me/sessions", headers: bearer(pair.access_token) })).json<{ status: string; explanation: string }[]>();
    assert.ok(sessions.length > 0);
    assert.ok(sessions.every((session) => session.status === "active" && session.explanation.startsWith("Accepted; logged in")));
  });
});

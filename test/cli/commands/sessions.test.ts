import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TokenPair } from "../../../src/index.js";
import { createUser, makeDatabaseUrl, openTessera, runTessera, withStore } from "../helpers.js";

async function startSessions(databaseUrl: string, userId: number, count: number): Promise<TokenPair[]> {
  return withStore(databaseUrl, async (store) => {
    const tessera = await openTessera(store);
    try {
      const user = await store.users.getUserById(userId);
      assert.ok(user);
      const pairs: TokenPair[] = [];
      for (let index = 0; index < count; index += 1) {
        pairs.push(await tessera.startSession(user, { scope: "users:read", client: { userAgent: `agent ${index}`, ip: "192.0.2.1" } }));
      }
      return pairs;
    } finally {
      await tessera.close();
    }
  });
}

/** What a server instance that loads the store's revocations says about each pair. */
async function judge(databaseUrl: string, pairs: TokenPair[]): Promise<string[]> {
  return withStore(databaseUrl, async (store) => {
    const tessera = await openTessera(store);
    try {
      const verdicts: string[] = [];
      for (const pair of pairs) {
        const access = await tessera.verify(pair.accessToken);
        verdicts.push(access.ok ? "ok" : access.code);
      }
      return verdicts;
    } finally {
      await tessera.close();
    }
  });
}

void describe("tessera sessions", () => {
  void it("lists a user's live sessions", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const pairs = await startSessions(databaseUrl, adaId, 2);
    const json = await runTessera(["sessions", "list", "ada", "--json"], { databaseUrl });
    assert.equal(json.code, 0, json.stderr);
    const sessions = JSON.parse(json.stdout) as { id: number; user_agent: string; ip: string }[];
    assert.deepEqual(sessions.map((session) => session.id).sort(), pairs.map((pair) => pair.sessionId).sort());
    assert.ok(sessions.every((session) => session.ip === "192.0.2.1"));
    const table = await runTessera(["sessions", "list", "ada"], { databaseUrl });
    assert.match(table.stdout, /^ID\s+CREATED\s+LAST USED\s+IP\s+USER AGENT\n/);
    for (const pair of pairs) assert.ok(!table.stdout.includes(pair.refreshToken) && !json.stdout.includes(pair.refreshToken));
  });

  void it("revokes every session of a user, access and refresh tokens alike", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const bobId = await createUser(databaseUrl, "bob");
    const adaPairs = await startSessions(databaseUrl, adaId, 2);
    const bobPairs = await startSessions(databaseUrl, bobId, 1);

    const result = await runTessera(["sessions", "revoke", "ada"], { databaseUrl });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'revoked 2 session(s) of "ada"\n');

    assert.deepEqual(await judge(databaseUrl, adaPairs), ["token_revoked", "token_revoked"]);
    assert.deepEqual(await judge(databaseUrl, bobPairs), ["ok"]);
    await withStore(databaseUrl, async (store) => {
      const revoked = (await store.tokens.listRevocations({ now: Date.now() })).filter((entry) => entry.kind === "sid").map((entry) => entry.value);
      assert.deepEqual(revoked.sort(), adaPairs.map((pair) => String(pair.sessionId)).sort());
      const tessera = await openTessera(store);
      try {
        const refresh = await tessera.refresh(adaPairs[0]?.refreshToken ?? "");
        assert.equal(refresh.ok ? null : refresh.code, "token_revoked");
      } finally {
        await tessera.close();
      }
    });
    const listed = await runTessera(["sessions", "list", "ada", "--json"], { databaseUrl });
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });

  void it("revokes one session with --session, and only a session of that user", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const bobId = await createUser(databaseUrl, "bob");
    const [first, second] = await startSessions(databaseUrl, adaId, 2);
    const [bobs] = await startSessions(databaseUrl, bobId, 1);
    assert.ok(first && second && bobs);

    const foreign = await runTessera(["sessions", "revoke", "ada", "--session", String(bobs.sessionId)], { databaseUrl });
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, new RegExp(`"ada" has no session ${bobs.sessionId}`));

    const result = await runTessera(["sessions", "revoke", "ada", "--session", String(first.sessionId)], { databaseUrl });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `revoked session ${first.sessionId} of "ada"\n`);
    assert.deepEqual(await judge(databaseUrl, [first, second, bobs]), ["token_revoked", "ok", "ok"]);

    const again = await runTessera(["sessions", "revoke", "ada", "--session", String(first.sessionId)], { databaseUrl });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already revoked/);
    const missingUser = await runTessera(["sessions", "revoke", "nobody"], { databaseUrl });
    assert.equal(missingUser.code, 1);
  });
});

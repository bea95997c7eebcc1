import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createUser, makeDatabaseUrl, openTessera, runTessera, withStore } from "../helpers.js";

void describe("tessera explain", () => {
  it("reads the token from stdin, says why it is refused and by whom, and exits 1", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const pat = await withStore(databaseUrl, async (store) => {
      const tessera = await openTessera(store);
      try {
        return await tessera.personalAccessTokens.create(adaId, { name: "ci", scope: "posts:read" });
      } finally {
        await tessera.close();
      }
    });
    const live = await runTessera(["explain"], { databaseUrl, stdin: `${pat.token}\n` });
    assert.equal(live.code, 0, live.stderr);
    assert.match(live.stdout, /^Accepted: a live personal access token\./);
    assert.ok(!live.stdout.includes(pat.token));

    assert.equal((await runTessera(["tokens", "revoke", String(pat.record.id)], { databaseUrl })).code, 0);
    const refused = await runTessera(["explain", "-", "--json"], { databaseUrl, stdin: `${pat.token}\n` });
    assert.equal(refused.code, 1);
    const explained = JSON.parse(refused.stdout) as { accepted: boolean; code: string; revocation: { how: string } };
    assert.equal(explained.code, "token_revoked");
    assert.match(explained.revocation.how, /by cli: tessera tokens revoke \(operator\)/);

    const onArgv = await runTessera(["explain", pat.token], { databaseUrl });
    assert.equal(onArgv.code, 1);
    assert.match(onArgv.stderr, /visible in the process list/);
    assert.equal((await runTessera(["explain"], { databaseUrl })).code, 2, "no token at all");
  });
});

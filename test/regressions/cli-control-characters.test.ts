// Security hardening, item 15: the CLI printed user-controlled text (PAT names, user agents) raw,
// so a stored escape sequence could rewrite the operator's terminal or forge output lines.
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { createUser, makeDatabaseUrl, openTessera, runTessera, withStore } from "../cli/helpers.js";

void it("escapes control characters in every table the CLI prints", async () => {
  const databaseUrl = makeDatabaseUrl();
  const adaId = await createUser(databaseUrl, "ada");
  await withStore(databaseUrl, async (store) => {
    const tessera = await openTessera(store);
    try {
      await tessera.personalAccessTokens.create(adaId, { name: "ci\u001b[2J\u001b[31mroot\r\nFAKE", scope: "posts:read" });
      await tessera.startSession(adaId, { scope: "posts:read", client: { userAgent: "evil\u0007\u001b]0;title\u0007", ip: "127.0.0.1" } });
    } finally {
      await tessera.close();
    }
  });
  for (const argv of [["tokens", "list", "ada"], ["sessions", "list", "ada"]]) {
    const result = await runTessera(argv, { databaseUrl });
    assert.equal(result.code, 0, result.stderr);
    // eslint-disable-next-line no-control-regex -- the point is that none of them reach the terminal
    assert.doesNotMatch(result.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/, argv.join(" "));
    assert.match(result.stdout, /\\x1b/);
  }
});

// Security hardening, item 16: `users import` accepted hashes that can never verify (bcrypt cost
// over 15, sha-crypt over 1,000,000 rounds), locking those users out for good.
import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import bcrypt from "bcryptjs";
import { makeDatabaseUrl, makeTempDir, runTessera, withStore } from "../cli/helpers.js";

void it("refuses bcrypt above cost 15 and sha-crypt above 1,000,000 rounds, naming the line", async () => {
  const databaseUrl = makeDatabaseUrl();
  const dir = makeTempDir();
  mkdirSync(dir, { recursive: true });
  const good = bcrypt.hashSync("a fine passphrase", 4);
  const tooCostly = good.replace(/^\$2b\$04\$/, "$2b$16$");
  const tooManyRounds = "$6$rounds=1000001$saltsalt$" + "a".repeat(86);
  const file = join(dir, "users.csv");
  writeFileSync(file, ["username,password_hash", `good,${good}`, `costly,${tooCostly}`, `rounds,${tooManyRounds}`].join("\n") + "\n");
  const result = await runTessera(["users", "import", file], { databaseUrl });
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stderr, /line 3: .*bcrypt.*cannot verify/);
  assert.match(result.stderr, /line 4: .*sha-crypt.*cannot verify/);
  await withStore(databaseUrl, async (store) => {
    assert.ok(await store.users.getUserByUsername("good"));
    assert.equal(await store.users.getUserByUsername("costly"), null);
    assert.equal(await store.users.getUserByUsername("rounds"), null);
  });
});

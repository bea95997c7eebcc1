// Security hardening, item 17: `--database postgres://user:password@...` put the password in argv;
// the URL can now come from a file, the help says so, and no message repeats the URL.
import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { makeDatabaseUrl, makeTempDir, runTessera } from "../cli/helpers.js";

void it("reads the database URL from TESSERA_DATABASE_URL_FILE, warns about a password in --database, never echoes it", async () => {
  const dir = makeTempDir();
  mkdirSync(dir, { recursive: true });
  const urlFile = join(dir, "database-url");
  const databaseUrl = makeDatabaseUrl();
  writeFileSync(urlFile, `${databaseUrl}\n`);
  const migrated = await runTessera(["migrate"], { env: { TESSERA_DATABASE_URL_FILE: urlFile } });
  assert.equal(migrated.code, 0, migrated.stderr);
  const listed = await runTessera(["users", "list", "--json"], { env: { TESSERA_DATABASE_URL_FILE: urlFile } });
  assert.equal(listed.code, 0, listed.stderr);

  const secret = "s3cr3t-pa55";
  const refused = await runTessera(["users", "list", "--database", `postgres://tessera:${secret}@127.0.0.1:1/nowhere`]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /visible in the process list/);
  assert.doesNotMatch(refused.stderr + refused.stdout, new RegExp(secret));

  const help = await runTessera(["users", "list", "--help"]);
  assert.match(help.stdout, /TESSERA_DATABASE_URL_FILE/);
});

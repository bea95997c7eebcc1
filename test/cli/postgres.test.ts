// The commands against PostgreSQL: one query code path, but bigint columns, the schema
// parameter and PostgreSQL's error codes are worth one pass of their own.
import * as assert from "node:assert/strict";
import { hashSync } from "bcryptjs";
import { after, describe, it } from "node:test";
import { createTestSchemaName, dropTestSchema, requireTestPostgres } from "../support/postgres.js";
import { openTessera, runTessera, withStore } from "./helpers.js";

const pgUrl = await requireTestPostgres();

function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("schema", schema);
  return parsed.toString();
}

if (pgUrl !== null) {
  const schema = createTestSchemaName();
  const databaseUrl = withSchema(pgUrl, schema);
  after(() => dropTestSchema(pgUrl, schema));

  void describe("tessera on PostgreSQL", () => {
    void it("points at migrate on an empty schema, then manages users, tokens, sessions and keys", async () => {
      const unmigrated = await runTessera(["users", "list"], { databaseUrl });
      assert.equal(unmigrated.code, 1);
      assert.match(unmigrated.stderr, /run "tessera migrate"/);

      assert.equal((await runTessera(["migrate", "--database", databaseUrl])).stdout, "applied 0001_token_tables\napplied 0002_clients\napplied 0003_audit_events\napplied 0004_revocation_owner\napplied 0005_revocations_by_time\napplied 0001_initial\napplied 0002_token_tables_moved\n");
      const created = await runTessera(["users", "create", "ada", "--admin"], { databaseUrl, stdin: "correct horse battery\n" });
      assert.equal(created.code, 0, created.stderr);
      const adaId = Number(created.stdout);

      const file = ["username,password_hash", `bob,${hashSync("bob's old password", 4)}`, "eve,plaintext"].join("\n");
      const imported = await runTessera(["users", "import", "-"], { databaseUrl, stdin: file });
      assert.equal(imported.stdout, "imported 1, skipped 0, failed 1\n");

      const listed = await runTessera(["users", "list", "--json"], { databaseUrl });
      const users = JSON.parse(listed.stdout) as { id: number; username: string; is_admin: boolean; created_at: string }[];
      assert.deepEqual(users.map((user) => [user.username, user.is_admin]), [["ada", true], ["bob", false]]);
      assert.match(users[0]?.created_at ?? "", /^\d{4}-\d\d-\d\dT/);

      const issued = await withStore(databaseUrl, async (store) => {
        const tessera = await openTessera(store);
        try {
          assert.equal((await tessera.checkPassword("bob", "bob's old password")).ok, true);
          assert.match((await store.users.getUserByUsername("bob"))?.passwordHash ?? "", /^\$argon2id\$/);
          const user = await store.users.getUserById(adaId);
          assert.ok(user);
          const pair = await tessera.startSession(user, { scope: "users:read" });
          const pat = await tessera.personalAccessTokens.create(adaId, { name: "ci", scope: "posts:read" });
          return { pair, pat };
        } finally {
          await tessera.close();
        }
      });

      assert.equal((await runTessera(["tokens", "revoke", String(issued.pat.record.id), "--user", "ada"], { databaseUrl })).code, 0);
      assert.equal((await runTessera(["sessions", "revoke", "ada"], { databaseUrl })).stdout, 'revoked 1 session(s) of "ada"\n');
      const rotated = await runTessera(["keys", "rotate"], { databaseUrl });
      assert.equal(rotated.code, 0, rotated.stderr);
      const keys = JSON.parse((await runTessera(["keys", "list", "--json"], { databaseUrl })).stdout) as { kid: string; status: string }[];
      assert.deepEqual(keys.map((key) => key.status), ["signing", "retired"]);

      await withStore(databaseUrl, async (store) => {
        const tessera = await openTessera(store);
        try {
          const access = await tessera.verify(issued.pair.accessToken);
          assert.equal(access.ok ? null : access.code, "token_revoked");
          const pat = await tessera.verify(issued.pat.token);
          assert.equal(pat.ok ? null : pat.code, "token_revoked");
        } finally {
          await tessera.close();
        }
      });

      assert.equal((await runTessera(["users", "delete", "ada"], { databaseUrl })).code, 0);
      const remaining = JSON.parse((await runTessera(["users", "list", "--json"], { databaseUrl })).stdout) as { username: string }[];
      assert.deepEqual(remaining.map((user) => user.username), ["bob"]);
    });
  });
}

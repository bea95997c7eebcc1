import * as assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from "kysely";
import { ConfigError } from "../../src/core/errors.js";
import { checkTablePrefix, TOKEN_TABLES } from "../../src/stores/sql/token-store/table-prefix.js";
import { TablePrefixPlugin, withoutTablePrefix } from "../../src/stores/sql/token-store/table-prefix-plugin.js";
import type { TokenDatabase } from "../../src/stores/sql/token-store/token-tables.js";

// Compiles without a database: the plugin's job is the SQL text.
const base = new Kysely<TokenDatabase & { users: { id: number } }>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const db = base.withPlugin(new TablePrefixPlugin("tessera_", TOKEN_TABLES));

void describe("TablePrefixPlugin", () => {
  void test("renames the store's tables in FROM, JOIN and qualified references, but not aliases or other tables", () => {
    const query = db
      .selectFrom("refresh_tokens as r")
      .innerJoin("sessions", "sessions.id", "r.session_id")
      .innerJoin("users", "users.id", "sessions.id")
      .select(["r.token_hash", "sessions.revoked_at", "users.id"])
      .compile();
    assert.equal(
      query.sql,
      'select "r"."token_hash", "tessera_sessions"."revoked_at", "users"."id" from "tessera_refresh_tokens" as "r" ' +
        'inner join "tessera_sessions" on "tessera_sessions"."id" = "r"."session_id" inner join "users" on "users"."id" = "tessera_sessions"."id"',
    );
  });

  void test("renames the target of INSERT, UPDATE, DELETE, ON CONFLICT and subqueries", () => {
    assert.match(
      db
        .insertInto("revocations")
        .values({ kind: "jti", value: "v", revoked_at: 1, expires_at: 2 })
        .onConflict((conflict) => conflict.columns(["kind", "value"]).doUpdateSet((eb) => ({ revoked_at: eb.ref("revocations.revoked_at") })))
        .compile().sql,
      /^insert into "tessera_revocations" .* "revoked_at" = "tessera_revocations"\."revoked_at"$/,
    );
    assert.equal(
      db
        .deleteFrom("sessions")
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom("refresh_tokens").select("refresh_tokens.token_hash").whereRef("refresh_tokens.session_id", "=", "sessions.id"))),
        )
        .compile().sql,
      'delete from "tessera_sessions" where not exists (select "tessera_refresh_tokens"."token_hash" from "tessera_refresh_tokens" ' +
        'where "tessera_refresh_tokens"."session_id" = "tessera_sessions"."id")',
    );
  });

  void test("renames tables in DDL, keeps a schema, and leaves index names and raw identifiers to the caller", () => {
    assert.equal(
      db.schema.createIndex("tessera_sessions_user_id").on("sessions").column("user_id").compile().sql,
      'create index "tessera_sessions_user_id" on "tessera_sessions" ("user_id")',
    );
    assert.equal(
      db.withSchema("app").selectFrom("secrets").select("value").compile().sql,
      'select "value" from "app"."tessera_secrets"',
    );
    assert.equal(sql`select * from ${sql.id("sessions")}`.compile(db).sql, 'select * from "sessions"');
  });

  void test("withoutTablePrefix drops only this plugin", () => {
    const schemaThenPrefix = base.withSchema("app").withPlugin(new TablePrefixPlugin("tessera_", TOKEN_TABLES));
    assert.equal(withoutTablePrefix(schemaThenPrefix).selectFrom("sessions").selectAll().compile().sql, 'select * from "app"."sessions"');
  });
});

void describe("checkTablePrefix", () => {
  void test("accepts lower-case identifiers up to 32 characters", () => {
    for (const prefix of ["tessera_", "_", "a", "auth2_", "a".repeat(32)]) assert.equal(checkTablePrefix(prefix), prefix);
  });

  void test("refuses anything else with a ConfigError", () => {
    for (const prefix of ["", "Auth_", "2fa_", "a-b_", "a.b", 'a"b', "a b", "é_", "a".repeat(33)]) {
      assert.throws(() => checkTablePrefix(prefix), (error: unknown) => error instanceof ConfigError && error.variable === "prefix", prefix);
    }
  });
});

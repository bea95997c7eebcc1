// The forward migration from Tessera 0.1.0: a database made by the 0.1.0 store code
// (test/fixtures/make-legacy-fixture.ts) goes through the token store's migrate(), then the server
// store's, and every row comes out the other side with the same values.
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { restoreLegacySqlite } from "../support/legacy-fixture.js";
import Database from "better-sqlite3";
import pg from "pg";
import type { RevocationRecord, SigningKeyRecord } from "../../src/core/token-store.js";
import { createServerStore } from "../../src/server/store/create-server-store.js";
import { openTokenStore, type SqlTokenStore, type TokenStoreOptions } from "../../src/stores/index.js";
import { createTestSchemaName, dropTestSchema, listSchemaTables, requireTestPostgres } from "../support/postgres.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const LEGACY_TOKEN_TABLES = ["refresh_tokens", "sessions", "personal_access_tokens", "signing_keys", "revocations", "secrets"];
const LEGACY_TABLES = ["users", "posts", ...LEGACY_TOKEN_TABLES];

type Row = Record<string, unknown>;
type LegacyRows = Record<string, Row[]>;

/** A copy of a 0.1.0 database: how to read it with plain SQL, and how to open the new stores on it. */
interface LegacyDatabase {
  query(text: string): Promise<Row[]>;
  tables(): Promise<string[]>;
  openTokenStore(options?: TokenStoreOptions): Promise<SqlTokenStore>;
  /** The `schema` the server store needs, if any. */
  schema: string | undefined;
  cleanup(): Promise<void>;
}

/** BIGINTs read through pg's default parser are strings. */
function num(value: unknown): number {
  return Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null ? null : Number(value);
}

async function readLegacyRows(database: LegacyDatabase): Promise<LegacyRows> {
  const rows: LegacyRows = {};
  for (const table of LEGACY_TABLES) rows[table] = await database.query(`select * from ${table}`);
  return rows;
}

function rowsOf(legacy: LegacyRows, table: string): Row[] {
  const rows = legacy[table];
  assert.ok(rows, `${table} was read`);
  return rows;
}

/** The fixture holds what test/fixtures/make-legacy-fixture.ts promises, or this test proves little. */
function checkFixtureCoverage(legacy: LegacyRows): void {
  const users = rowsOf(legacy, "users");
  assert.equal(users.length, 3);
  assert.equal(users.filter((user) => num(user.is_admin) === 1).length, 1, "one admin");
  assert.ok(rowsOf(legacy, "refresh_tokens").some((link) => link.spent_at !== null), "a spent refresh link");
  assert.ok(rowsOf(legacy, "sessions").some((session) => session.revoked_at !== null), "a revoked session");
  const pats = rowsOf(legacy, "personal_access_tokens");
  assert.ok(pats.some((token) => token.revoked_at !== null), "a revoked PAT");
  assert.ok(pats.some((token) => token.expires_at !== null), "a PAT with an expiry");
  assert.ok(rowsOf(legacy, "signing_keys").some((key) => key.retired_at !== null), "a rotated signing key");
  assert.deepEqual(new Set(rowsOf(legacy, "revocations").map((entry) => entry.kind)), new Set(["jti", "sid", "user", "pat"]));
  assert.ok(rowsOf(legacy, "secrets").length >= 2);
  assert.ok(rowsOf(legacy, "posts").length >= 2);
}

/** The highest id of `kind` any legacy row names: rows, links, and revocation entries of deleted rows alike. */
function highestId(legacy: LegacyRows, table: string, revocationKind: string): number {
  const ids = rowsOf(legacy, table).map((row) => num(row.id));
  const revoked = rowsOf(legacy, "revocations")
    .filter((entry) => entry.kind === revocationKind)
    .map((entry) => num(entry.value));
  return Math.max(0, ...ids, ...revoked);
}

async function checkForwardMigration(database: LegacyDatabase): Promise<void> {
  const legacy = await readLegacyRows(database);
  checkFixtureCoverage(legacy);

  const tokens = await database.openTokenStore();
  const data = createServerStore(tokens.db, tokens.dialect, database.schema === undefined ? {} : { schema: database.schema });
  try {
    assert.deepEqual(await tokens.migrate(), ["0001_token_tables", "0002_clients", "0003_audit_events", "0004_revocation_owner", "0005_revocations_by_time"]);
    assert.deepEqual(await data.migrate(), ["0002_token_tables_moved"], "0.1.0's 0001_initial is already recorded");

    const tables = await database.tables();
    for (const table of LEGACY_TOKEN_TABLES) assert.ok(!tables.includes(table), `legacy ${table} is dropped`);
    for (const table of ["users", "posts", "tessera_sessions", "tessera_tokens"]) assert.ok(tables.includes(table), `${table} is there`);

    for (const user of rowsOf(legacy, "users")) {
      assert.deepEqual(await data.users.getUserById(num(user.id)), {
        id: num(user.id),
        username: user.username,
        email: user.email,
        aboutMe: user.about_me,
        passwordHash: user.password_hash,
        isAdmin: num(user.is_admin) === 1,
        createdAt: num(user.created_at),
        lastSeenAt: numOrNull(user.last_seen_at),
      });
    }
    assert.equal((await data.users.listUsers({ offset: 0, limit: 100 })).total, rowsOf(legacy, "users").length);
    for (const post of rowsOf(legacy, "posts")) {
      const author = rowsOf(legacy, "users").find((user) => user.id === post.user_id);
      assert.deepEqual(await data.posts.getPost(num(post.id)), {
        id: num(post.id),
        userId: num(post.user_id),
        authorUsername: author?.username,
        title: post.title,
        body: post.body,
        createdAt: num(post.created_at),
        updatedAt: num(post.updated_at),
      });
    }

    const sessions = rowsOf(legacy, "sessions");
    for (const session of sessions) {
      assert.deepEqual(await tokens.getSession(num(session.id)), {
        id: num(session.id),
        userId: String(session.user_id),
        scope: session.scope,
        userAgent: session.user_agent,
        ip: session.ip,
        createdAt: num(session.created_at),
        lastUsedAt: num(session.last_used_at),
        revokedAt: numOrNull(session.revoked_at),
      });
    }
    for (const link of rowsOf(legacy, "refresh_tokens")) {
      const session = sessions.find((candidate) => candidate.id === link.session_id);
      assert.deepEqual(await tokens.getRefreshToken(String(link.token_hash)), {
        tokenHash: link.token_hash,
        sessionId: num(link.session_id),
        userId: String(link.user_id),
        createdAt: num(link.created_at),
        expiresAt: num(link.expires_at),
        spentAt: numOrNull(link.spent_at),
        sessionRevoked: session?.revoked_at !== null,
      });
    }
    for (const token of rowsOf(legacy, "personal_access_tokens")) {
      assert.deepEqual(await tokens.findTokenByHash(String(token.token_hash)), {
        id: num(token.id),
        kind: "pat",
        userId: String(token.user_id),
        name: token.name,
        scope: token.scope,
        tokenHash: token.token_hash,
        createdAt: num(token.created_at),
        expiresAt: numOrNull(token.expires_at),
        lastUsedAt: numOrNull(token.last_used_at),
        revokedAt: numOrNull(token.revoked_at),
      });
    }
    const byKid = (keys: SigningKeyRecord[]) => [...keys].sort((a, b) => a.kid.localeCompare(b.kid));
    assert.deepEqual(
      byKid(await tokens.listSigningKeys()),
      byKid(
        rowsOf(legacy, "signing_keys").map((key) => ({
          kid: String(key.kid),
          alg: String(key.alg),
          privateJwk: String(key.private_jwk),
          publicJwk: key.public_jwk === null ? null : String(key.public_jwk),
          createdAt: num(key.created_at),
          retiredAt: numOrNull(key.retired_at),
          expiresAt: numOrNull(key.expires_at),
        })),
      ),
    );
    const byKindValue = (entries: RevocationRecord[]) => [...entries].sort((a, b) => `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`));
    assert.deepEqual(
      byKindValue(await tokens.listRevocations({ now: 0 })),
      byKindValue(
        rowsOf(legacy, "revocations").map((entry) => ({
          kind: (entry.kind === "pat" ? "token" : entry.kind) as RevocationRecord["kind"],
          value: String(entry.value),
          revokedAt: num(entry.revoked_at),
          expiresAt: num(entry.expires_at),
        })),
      ),
      "pat entries become token entries",
    );
    for (const secret of rowsOf(legacy, "secrets")) {
      assert.equal(
        await tokens.getOrCreateSecret(String(secret.name), () => assert.fail("a copied secret is not created again")),
        secret.value,
      );
    }
    const count = async (table: "sessions" | "refresh_tokens" | "tokens" | "signing_keys" | "revocations" | "secrets") =>
      num((await tokens.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
    assert.equal(await count("sessions"), sessions.length, "nothing more than the legacy rows");
    assert.equal(await count("refresh_tokens"), rowsOf(legacy, "refresh_tokens").length);
    assert.equal(await count("tokens"), rowsOf(legacy, "personal_access_tokens").length);
    assert.equal(await count("secrets"), rowsOf(legacy, "secrets").length);

    // New rows get ids past every id 0.1.0 handed out, including those of rows deleted since
    // whose revocation entries still live: reusing one would make a new session born revoked.
    const fresh = await tokens.createSession({ userId: "1", scope: "", userAgent: null, ip: null, now: 1, refreshTokenHash: "new-refresh", refreshExpiresAt: 2 });
    assert.ok(fresh.id > highestId(legacy, "sessions", "sid"), `session id ${fresh.id} is new`);
    const token = await tokens.createToken({ kind: "pat", userId: "1", name: "new", scope: "", tokenHash: "new-token", now: 1, expiresAt: null });
    assert.ok(token.id > highestId(legacy, "personal_access_tokens", "pat"), `token id ${token.id} is new`);
    const user = await data.users.createUser({ username: "newcomer", passwordHash: "x", now: 1 });
    assert.ok(user !== null && user.id > highestId(legacy, "users", "user"), "user ids go on too");

    // The copied chains keep working: a live end rotates, a spent link does not.
    const spent = rowsOf(legacy, "refresh_tokens").find((link) => link.spent_at !== null);
    assert.equal(await tokens.rotateRefreshToken({ oldHash: String(spent?.token_hash), newHash: "replayed", now: 2, newExpiresAt: 3 }), false);
    const live = rowsOf(legacy, "refresh_tokens").find(
      (link) => link.spent_at === null && sessions.find((session) => session.id === link.session_id)?.revoked_at === null,
    );
    assert.equal(await tokens.rotateRefreshToken({ oldHash: String(live?.token_hash), newHash: "rotated", now: 2, newExpiresAt: 3 }), true);

    assert.deepEqual(await tokens.migrate(), [], "idempotent");
    assert.deepEqual(await data.migrate(), [], "idempotent");
  } finally {
    await tokens.close();
  }
}

async function checkNoCopy(database: LegacyDatabase, options: TokenStoreOptions, why: string): Promise<void> {
  const tokens = await database.openTokenStore(options);
  try {
    await tokens.migrate();
    assert.equal((await tokens.listSigningKeys()).length, 0, why);
    assert.deepEqual(await tokens.listRevocations({ now: 0 }), [], why);
    assert.ok((await database.tables()).includes("personal_access_tokens"), "the legacy tables stay");
  } finally {
    await tokens.close();
  }
}

void describe("forward migration from 0.1.0 on SQLite", () => {
  const tempRoot = mkdtempSync(join(tmpdir(), "tessera-legacy-"));
  after(() => rmSync(tempRoot, { recursive: true, force: true }));
  let counter = 0;

  function copyFixture(): LegacyDatabase {
    const path = join(tempRoot, `legacy-${(counter += 1)}.sqlite`);
    restoreLegacySqlite(path);
    const withDatabase = <T>(run: (database: Database.Database) => T): T => {
      const database = new Database(path);
      try {
        return run(database);
      } finally {
        database.close();
      }
    };
    return {
      query: (text) =>
        Promise.resolve(
          withDatabase((database) => {
            const statement = database.prepare(text);
            if (statement.reader) return statement.all() as Row[];
            statement.run();
            return [];
          }),
        ),
      tables: () =>
        Promise.resolve(withDatabase((database) => database.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[])),
      openTokenStore: (options) => openTokenStore(`sqlite:${path}`, options),
      schema: undefined,
      cleanup: () => Promise.resolve(),
    };
  }

  void test("every row comes across with the same values, and the legacy token tables go", () => checkForwardMigration(copyFixture()));

  void test("a prefix other than the default starts empty beside the 0.1.0 tables", () =>
    checkNoCopy(copyFixture(), { prefix: "auth_" }, "no copy with another prefix"));

  void test("without 0.1.0's kysely_migration record the tables alone are not taken for 0.1.0's", async () => {
    const database = copyFixture();
    await database.query("delete from kysely_migration");
    await checkNoCopy(database, {}, "no copy without the migration record");
  });
});

const pgUrl = await requireTestPostgres();
if (pgUrl !== null) {
  void describe("forward migration from 0.1.0 on PostgreSQL", () => {
    async function loadFixture(): Promise<LegacyDatabase> {
      const schema = createTestSchemaName();
      const dump = readFileSync(join(FIXTURES, "tessera-0.1.0.postgres.sql"), "utf8").replaceAll("__SCHEMA__", schema);
      const withClient = async <T>(run: (client: pg.Client) => Promise<T>): Promise<T> => {
        const client = new pg.Client({ connectionString: pgUrl ?? undefined });
        await client.connect();
        try {
          return await run(client);
        } finally {
          await client.end();
        }
      };
      await withClient((client) => client.query(dump));
      return {
        query: (text) =>
          withClient(async (client) => {
            await client.query(`set search_path to "${schema}"`);
            return (await client.query<Row>(text)).rows;
          }),
        tables: () => listSchemaTables(pgUrl ?? "", schema),
        openTokenStore: (options) => openTokenStore(pgUrl ?? "", { schema, ...options }),
        schema: undefined,
        cleanup: () => dropTestSchema(pgUrl ?? "", schema),
      };
    }

    async function withFixture(run: (database: LegacyDatabase) => Promise<void>): Promise<void> {
      const database = await loadFixture();
      try {
        await run(database);
      } finally {
        await database.cleanup();
      }
    }

    void test("every row comes across with the same values, identities move past the copied ids, the legacy token tables go", () =>
      withFixture(checkForwardMigration));

    void test("through the app's own pg Pool and the schema option, the same", () =>
      withFixture(async (database) => {
        const pool = new pg.Pool({ connectionString: pgUrl, max: 4 });
        const schema = (await database.query("select current_schema() as name"))[0]?.name as string;
        try {
          await checkForwardMigration({ ...database, schema, openTokenStore: (options) => openTokenStore(pool, { schema, ...options }) });
        } finally {
          await pool.end();
        }
      }));

    void test("a prefix other than the default starts empty beside the 0.1.0 tables", () =>
      withFixture((database) => checkNoCopy(database, { prefix: "auth_" }, "no copy with another prefix")));
  });
}

// Makes the Tessera 0.1.0 database fixtures the token store's forward migration is tested on:
//   test/fixtures/tessera-0.1.0.sqlite         a SQLite database file
//   test/fixtures/tessera-0.1.0.postgres.sql   a pg_dump of one schema, its name replaced by __SCHEMA__
//
// Generated with the 0.1.0 store code (openSqlStore, src/stores/sql/) as of commit 16997b6
// ("The package is tessera-auth ...; the token store interface the library will be built on"),
// which branch `stores` keeps unchanged. Re-running it makes new keys and secrets: commit the
// fixtures it writes together with whatever test expectations depend on them.
//
// Usage: npx tsx scripts/make-legacy-fixture.ts   (PostgreSQL at TESSERA_TEST_PG_URL, pg_dump on PATH)
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { generateSigningKey } from "../src/core/jwt/generate-signing-key.js";
import type { UserRecord } from "../src/core/store.js";
import { openSqlStore, type SqlStore } from "../src/stores/index.js";
import { readTestPostgresUrl } from "../test/support/postgres.js";

const FIXTURES = join(import.meta.dirname, "..", "test", "fixtures");
const SQLITE_FIXTURE = join(FIXTURES, "tessera-0.1.0.sqlite");
const POSTGRES_FIXTURE = join(FIXTURES, "tessera-0.1.0.postgres.sql");
const SCHEMA_PLACEHOLDER = "__SCHEMA__";

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A token hash as 0.1.0 stores it: SHA-256 hex of the token. */
function hashToken(label: string): string {
  return createHash("sha256").update(`fixture:${label}:`).update(randomBytes(16)).digest("hex");
}

function must<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`${what} returned null`);
  return value;
}

/** Writes, through the 0.1.0 API only, a bit of everything 0.1.0 stores. */
async function populate({ auth, posts }: SqlStore): Promise<void> {
  const phc = (salt: string) => `$argon2id$v=19$m=19456,t=2,p=1$${Buffer.from(salt).toString("base64url")}$${randomBytes(32).toString("base64url")}`;
  const addUser = async (username: string, extra: { email?: string; aboutMe?: string; isAdmin?: boolean }, now: number): Promise<UserRecord> =>
    must(await auth.createUser({ username, passwordHash: phc(username), ...extra, now }), `createUser(${username})`);
  const alice = await addUser("alice", { email: "alice@example.test", aboutMe: "Runs this instance.", isAdmin: true }, T0);
  const bob = await addUser("Bob", { email: "bob@example.test" }, T0 + 1000);
  const carol = await addUser("carol", {}, T0 + 2000);
  await auth.touchUser(alice.id, T0 + 3 * HOUR);

  // Sessions with refresh chains: alice's first one rotated twice (two spent links), bob's once.
  const session = (userId: number, now: number, refresh: string, userAgent: string | null, ip: string | null) =>
    auth.createSession({ userId, scope: "users:read posts:read posts:write", userAgent, ip, now, refreshTokenHash: refresh, refreshExpiresAt: now + 30 * DAY });
  const rotate = async (oldHash: string, label: string, now: number): Promise<string> => {
    const newHash = hashToken(label);
    if (!(await auth.rotateRefreshToken({ oldHash, newHash, now, newExpiresAt: now + 30 * DAY }))) throw new Error(`rotating to ${label} failed`);
    return newHash;
  };
  const aliceFirst = hashToken("alice-laptop-1");
  const aliceLaptop = await session(alice.id, T0 + HOUR, aliceFirst, "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "203.0.113.7");
  await rotate(await rotate(aliceFirst, "alice-laptop-2", T0 + 2 * HOUR), "alice-laptop-3", T0 + 3 * HOUR);
  await auth.touchSession(aliceLaptop.id, T0 + 3 * HOUR);
  await session(alice.id, T0 + 4 * HOUR, hashToken("alice-phone-1"), "TesseraApp/1.0 (iOS)", "198.51.100.20");
  const bobFirst = hashToken("bob-1");
  await session(bob.id, T0 + 5 * HOUR, bobFirst, "curl/8.4.0", null);
  await rotate(bobFirst, "bob-2", T0 + 6 * HOUR);
  const carolSession = await session(carol.id, T0 + 7 * HOUR, hashToken("carol-1"), null, null);
  await auth.revokeSession(carolSession.id, T0 + 8 * HOUR);
  await auth.addRevocation({ kind: "sid", value: String(carolSession.id), revokedAt: T0 + 8 * HOUR, expiresAt: T0 + 8 * HOUR + 30 * DAY });

  // Personal access tokens: one used, one revoked, one with an expiry.
  const pat = (userId: number, name: string, now: number, expiresAt: number | null) =>
    auth.createPersonalAccessToken({ userId, name, scope: "posts:read", tokenHash: hashToken(`pat-${name}`), now, expiresAt });
  const laptopPat = await pat(alice.id, "laptop", T0 + HOUR, null);
  await auth.touchPersonalAccessToken(laptopPat.id, T0 + 9 * HOUR);
  const ciPat = await pat(alice.id, "ci", T0 + 2 * HOUR, null);
  await auth.revokePersonalAccessToken(alice.id, ciPat.id, T0 + 10 * HOUR);
  await auth.addRevocation({ kind: "pat", value: String(ciPat.id), revokedAt: T0 + 10 * HOUR, expiresAt: T0 + 10 * HOUR + 30 * DAY });
  await pat(bob.id, "deploy", T0 + 3 * HOUR, T0 + 90 * DAY);

  // Signing keys, rotated: the first one retired (still verifying until it expires), a newer current one.
  const first = await generateSigningKey({ alg: "EdDSA", now: T0 - 60 * DAY });
  await auth.getOrCreateSecret("first-signing-key:EdDSA", () => JSON.stringify(first));
  await auth.insertSigningKey(first);
  await auth.insertSigningKey(await generateSigningKey({ alg: "EdDSA", now: T0 - 30 * DAY }));
  await auth.retireSigningKey(first.kid, T0 - 30 * DAY, T0 + 1 * DAY);
  await auth.insertSigningKey(await generateSigningKey({ alg: "HS256", now: T0 - 10 * DAY }));

  // A user deleted with everything hanging off it, after being revoked the way 0.1.0 does: the
  // highest session and token ids are gone while their revocation entries live on.
  const dave = await addUser("dave", {}, T0 + 3000);
  const daveSession = await session(dave.id, T0 + 11 * HOUR, hashToken("dave-1"), null, "192.0.2.1");
  const davePat = await pat(dave.id, "script", T0 + 11 * HOUR, null);
  await posts.createPost({ userId: dave.id, title: "Gone soon", body: "…", now: T0 + 11 * HOUR });
  await auth.revokeUserSessions(dave.id, T0 + 12 * HOUR);
  await auth.addRevocation({ kind: "sid", value: String(daveSession.id), revokedAt: T0 + 12 * HOUR, expiresAt: T0 + 12 * HOUR + 30 * DAY });
  await auth.addRevocation({ kind: "user", value: String(dave.id), revokedAt: T0 + 12 * HOUR, expiresAt: T0 + 12 * HOUR + 30 * DAY });
  await auth.addRevocation({ kind: "pat", value: String(davePat.id), revokedAt: T0 + 12 * HOUR, expiresAt: T0 + 12 * HOUR + 30 * DAY });
  await auth.deleteUser(dave.id);

  // An access token revoked by its jti, and the shared secrets 0.1.0 keeps.
  await auth.addRevocation({ kind: "jti", value: randomBytes(16).toString("base64url"), revokedAt: T0 + 13 * HOUR, expiresAt: T0 + 13 * HOUR + 15 * 60_000 });
  await auth.getOrCreateSecret("refresh-derivation-key", () => randomBytes(32).toString("base64url"));
  await auth.getOrCreateSecret("default-issuer", () => "http://localhost:3000");

  await posts.createPost({ userId: alice.id, title: "Welcome", body: "First post on this instance.", now: T0 + HOUR });
  await posts.createPost({ userId: bob.id, title: "Hello", body: "Bob's post, with ünïcödé and 'quotes'.", now: T0 + 2 * HOUR });
  const edited = await posts.createPost({ userId: alice.id, title: "Draft", body: "To be edited", now: T0 + 3 * HOUR });
  await posts.updatePost(edited.id, { body: "Edited" }, T0 + 4 * HOUR);
}

async function makeSqliteFixture(): Promise<void> {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${SQLITE_FIXTURE}${suffix}`, { force: true });
  const store = await openSqlStore(`sqlite:${SQLITE_FIXTURE}`);
  try {
    await store.migrate();
    await populate(store);
  } finally {
    await store.close();
  }
  // One self-contained, compact file: out of WAL mode, free pages dropped.
  const database = new Database(SQLITE_FIXTURE);
  database.pragma("journal_mode = DELETE");
  database.exec("vacuum");
  database.close();
}

async function makePostgresFixture(url: string): Promise<void> {
  // Distinctive, so replacing it with the placeholder cannot touch anything else in the dump.
  const schema = `tessera_fixture_${randomBytes(6).toString("hex")}`;
  const store = await openSqlStore(url, { schema });
  try {
    await store.migrate();
    await populate(store);
  } finally {
    await store.close();
  }
  try {
    const dump = execFileSync("pg_dump", ["--inserts", "--no-owner", "--no-privileges", "--no-comments", `--schema=${schema}`, url], {
      encoding: "utf8",
    });
    const body = dump
      .split("\n")
      // psql meta-commands (\restrict, added by recent pg_dump releases) are not SQL.
      .filter((line) => !line.startsWith("\\"))
      .join("\n")
      .replaceAll(schema, SCHEMA_PLACEHOLDER);
    const header = [
      "-- A Tessera 0.1.0 database (PostgreSQL), made by scripts/make-legacy-fixture.ts with the 0.1.0 store code",
      "-- (commit 16997b6). Load it with every __SCHEMA__ replaced by a fresh schema name.",
      "",
    ].join("\n");
    writeFileSync(POSTGRES_FIXTURE, header + body);
  } finally {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}

await makeSqliteFixture();
console.log(`wrote ${SQLITE_FIXTURE}`);
await makePostgresFixture(readTestPostgresUrl());
console.log(`wrote ${POSTGRES_FIXTURE}`);

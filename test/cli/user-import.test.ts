import * as assert from "node:assert/strict";
import { pbkdf2Sync, scryptSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hashSync } from "bcryptjs";
import { detectImportFormat, parseImportLine, splitCsvLine } from "../../src/cli/user-import.js";
import { makeDatabaseUrl, makeTempDir, openTessera, runTessera, withStore } from "./helpers.js";

// One user per supported legacy scheme, each with its own password. bcrypt and werkzeug hashes
// are made here with the libraries' algorithms; the sha512-crypt one is a passlib hash from
// test/core/passwords/hasher.test.ts.
const PASSWORDS = {
  alice: "alice's bcrypt password",
  bob: "a".repeat(32),
  carol: "carol's pbkdf2 password",
  dave: "dave's scrypt password",
};
const HASHES = {
  alice: hashSync(PASSWORDS.alice, 4),
  bob: "$6$rounds=1000$OQ8ZzUkQhe2Ks1Jb$mQY/le1jMnIEbGC2T9OIw0i.Jrq/uZEJrbkM4lgs9KOtCsmbO884PaeFwtj3uyXoNRY6kdO1G3GtgcXTJ0MvH/",
  carol: `pbkdf2:sha256:1000$c4r0lSalt$${pbkdf2Sync(PASSWORDS.carol, "c4r0lSalt", 1000, 32, "sha256").toString("hex")}`,
  dave: `scrypt:16384:8:1$d4v3Salt$${scryptSync(PASSWORDS.dave, "d4v3Salt", 64, { N: 16384, r: 8, p: 1 }).toString("hex")}`,
};
const UNKNOWN_HASH = "md5$0123456789abcdef0123456789abcdef";

function writeImportFile(name: string, lines: string[]): string {
  const dir = makeTempDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n"));
  return path;
}

/** Logs each user in as a server would and returns what its stored hash became. */
async function loginAll(databaseUrl: string, users: Record<string, string>): Promise<Record<string, string>> {
  return withStore(databaseUrl, async (store) => {
    const tessera = await openTessera(store);
    try {
      const stored: Record<string, string> = {};
      for (const [username, password] of Object.entries(users)) {
        const verdict = await tessera.checkPassword(username, password);
        assert.equal(verdict.ok, true, `${username} logs in with the old password`);
        stored[username] = (await store.users.getUserByUsername(username))?.passwordHash ?? "";
      }
      return stored;
    } finally {
      await tessera.close();
    }
  });
}

void describe("import file parsing", () => {
  void it("splits CSV lines with minimal RFC 4180 quoting", () => {
    assert.deepEqual(splitCsvLine("ada,$2b$04$abc,ada@example.com"), ["ada", "$2b$04$abc", "ada@example.com"]);
    assert.deepEqual(splitCsvLine(' ada , hash ,'), ["ada", "hash", ""]);
    assert.deepEqual(splitCsvLine('ada,hash,"ada@example.com"'), ["ada", "hash", "ada@example.com"]);
    assert.deepEqual(splitCsvLine('"a,b","say ""hi"""'), ["a,b", 'say "hi"']);
    assert.equal(splitCsvLine('ada,"unterminated'), null);
    assert.equal(splitCsvLine('ada,"x"y'), null);
    assert.equal(splitCsvLine('ada,x"y'), null);
  });

  void it("detects the format from the extension, then from the first line", () => {
    assert.equal(detectImportFormat("users.CSV", "{"), "csv");
    assert.equal(detectImportFormat("users.jsonl", "ada,x"), "jsonl");
    assert.equal(detectImportFormat("users.ndjson", "ada,x"), "jsonl");
    assert.equal(detectImportFormat("users.txt", '  {"username":"ada"}'), "jsonl");
    assert.equal(detectImportFormat("", "ada,x"), "csv");
  });

  void it("reads rows, the header, blank lines and bad lines", () => {
    const first = { isFirst: true };
    const later = { isFirst: false };
    assert.deepEqual(parseImportLine("username,password_hash,email", "csv", first), { kind: "header" });
    assert.deepEqual(parseImportLine("Username,Password_Hash", "csv", first), { kind: "header" });
    assert.equal(parseImportLine("username,password_hash,email", "csv", later).kind, "invalid");
    assert.deepEqual(parseImportLine("   ", "csv", later), { kind: "blank" });
    assert.deepEqual(parseImportLine(`ada,${HASHES.alice}`, "csv", later), {
      kind: "row",
      row: { username: "ada", passwordHash: HASHES.alice, email: null },
    });
    assert.deepEqual(parseImportLine(JSON.stringify({ username: "ada", password_hash: HASHES.carol, email: "a@b.c", extra: 1 }), "jsonl", later), {
      kind: "row",
      row: { username: "ada", passwordHash: HASHES.carol, email: "a@b.c" },
    });
    const invalid: [string, "csv" | "jsonl", RegExp][] = [
      ["ada", "csv", /expected 2 or 3 fields/],
      [`ada,${HASHES.alice},a@b.c,extra`, "csv", /expected 2 or 3 fields/],
      [`bad name,${HASHES.alice}`, "csv", /username must be/],
      [`${"x".repeat(65)},${HASHES.alice}`, "csv", /username must be/],
      [`ada,${HASHES.alice},not-an-email`, "csv", /email/],
      // The API's own email rule (PATCH /api/users/{id} would refuse these): a dotted domain.
      [`ada,${HASHES.alice},ada@localhost`, "csv", /email/],
      [`ada,${HASHES.alice},ada@exa mple.com`, "csv", /email/],
      [JSON.stringify({ username: "ada", password_hash: HASHES.alice, email: "a\u0000@b.c" }), "jsonl", /email/],
      [`ada,${UNKNOWN_HASH}`, "csv", /unknown scheme/],
      ["ada,", "csv", /password_hash is empty/],
      [`ada,$2b$04$has space`, "csv", /not a printable hash/],
      [`{"username":"ada","password_hash":"${HASHES.alice}"`, "jsonl", /not valid JSON/],
      [`["ada","${HASHES.alice}"]`, "jsonl", /expected \{"username"/],
      [`{"username":"ada","password_hash":42}`, "jsonl", /expected \{"username"/],
      [`{"username":"ada","password_hash":"${HASHES.alice}","email":7}`, "jsonl", /expected \{"username"/],
    ];
    for (const [line, format, reason] of invalid) {
      const parsed = parseImportLine(line, format, later);
      assert.equal(parsed.kind, "invalid", line);
      assert.match(parsed.kind === "invalid" ? parsed.reason : "", reason, line);
      // A reason never repeats the line: it may hold a hash.
      assert.ok(parsed.kind === "invalid" && !parsed.reason.includes("$2b$") && !parsed.reason.includes(UNKNOWN_HASH), line);
    }
  });
});

void describe("tessera users import", () => {
  void it("imports good CSV lines, skips duplicates, fails bad lines, and the imported users log in and get argon2id", async () => {
    const databaseUrl = makeDatabaseUrl();
    const file = writeImportFile("legacy.csv", [
      "username,password_hash,email", // 1: header
      `alice,${HASHES.alice}`, // 2
      `bob,${HASHES.bob},bob@example.com`, // 3
      "", // 4: blank
      `carol,"${HASHES.carol}",carol@example.com`, // 5: a quoted field
      `dave,${HASHES.dave}`, // 6
      `ALICE,${HASHES.carol}`, // 7: duplicate (case-insensitive) -> skipped
      `eve,${UNKNOWN_HASH}`, // 8: unknown scheme -> failed
      `mallory ${HASHES.alice}`, // 9: malformed -> failed
      `not valid!,${HASHES.alice}`, // 10: bad username -> failed
      `frank,${HASHES.alice},"unterminated`, // 11: malformed quoting -> failed
    ]);

    const result = await runTessera(["users", "import", file], { databaseUrl });
    assert.equal(result.code, 1, "some lines failed");
    assert.equal(result.stdout, "imported 4, skipped 1, failed 4\n");
    const problems = result.stderr.trimEnd().split("\n");
    assert.deepEqual(
      problems.map((line) => /^line (\d+): (skipped|failed): /.exec(line)?.slice(1, 3)),
      [
        ["7", "skipped"],
        ["8", "failed"],
        ["9", "failed"],
        ["10", "failed"],
        ["11", "failed"],
      ],
    );
    assert.match(problems[0] ?? "", /user "ALICE" already exists/);
    assert.match(problems[1] ?? "", /unknown scheme/);
    for (const hash of [...Object.values(HASHES), UNKNOWN_HASH]) assert.ok(!result.stderr.includes(hash) && !result.stdout.includes(hash));

    await withStore(databaseUrl, async (store) => {
      for (const name of ["eve", "mallory", "frank"]) assert.equal(await store.users.getUserByUsername(name), null, `${name} left no user behind`);
      const alice = await store.users.getUserByUsername("alice");
      assert.equal(alice?.passwordHash, HASHES.alice, "the duplicate did not overwrite alice");
      assert.equal((await store.users.getUserByUsername("carol"))?.email, "carol@example.com");
      assert.equal((await store.users.getUserByUsername("bob"))?.email, "bob@example.com");
      assert.equal(alice?.isAdmin, false);
      // A wrong password neither logs in nor touches the legacy hash.
      const tessera = await openTessera(store);
      try {
        assert.equal((await tessera.checkPassword("alice", "not alice's password")).ok, false);
      } finally {
        await tessera.close();
      }
      assert.equal((await store.users.getUserByUsername("alice"))?.passwordHash, HASHES.alice);
    });

    const stored = await loginAll(databaseUrl, PASSWORDS);
    for (const [username, hash] of Object.entries(stored)) assert.match(hash, /^\$argon2id\$/, `${username} was re-hashed on login`);
    // And the new argon2id hash keeps working.
    await loginAll(databaseUrl, PASSWORDS);
  });

  void it("imports JSON lines and exits 0 when nothing failed; a second run skips everyone", async () => {
    const databaseUrl = makeDatabaseUrl();
    const file = writeImportFile("legacy.jsonl", [
      JSON.stringify({ username: "alice", password_hash: HASHES.alice }),
      JSON.stringify({ username: "dave", password_hash: HASHES.dave, email: null }),
      JSON.stringify({ username: "carol", password_hash: HASHES.carol, email: "carol@example.com" }),
      JSON.stringify({ username: "Alice", password_hash: HASHES.bob }),
      "",
    ]);
    const first = await runTessera(["users", "import", file], { databaseUrl });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "imported 3, skipped 1, failed 0\n");
    const second = await runTessera(["users", "import", file], { databaseUrl });
    assert.equal(second.code, 0);
    assert.equal(second.stdout, "imported 0, skipped 4, failed 0\n");
    await loginAll(databaseUrl, { alice: PASSWORDS.alice, dave: PASSWORDS.dave, carol: PASSWORDS.carol });
  });

  void it("reports bad JSON lines without stopping, and detects the format from the first line", async () => {
    const databaseUrl = makeDatabaseUrl();
    const file = writeImportFile("export.txt", [
      "\uFEFF" + JSON.stringify({ username: "alice", password_hash: HASHES.alice }),
      `{"username": "broken", "password_hash": "${HASHES.bob}"`,
      JSON.stringify({ username: "eve", password_hash: UNKNOWN_HASH }),
      JSON.stringify({ username: "bob", password_hash: HASHES.bob }),
    ]);
    const result = await runTessera(["users", "import", file], { databaseUrl });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "imported 2, skipped 0, failed 2\n");
    assert.match(result.stderr, /^line 2: failed: not valid JSON\nline 3: failed: .*unknown scheme/);
    assert.ok(!result.stderr.includes(HASHES.bob));
    await loginAll(databaseUrl, { alice: PASSWORDS.alice, bob: PASSWORDS.bob });
  });

  void it("honours --format, reads - from stdin, and writes nothing with --dry-run", async () => {
    const databaseUrl = makeDatabaseUrl();
    const csv = [`alice,${HASHES.alice}`, `alice,${HASHES.bob}`, `eve,${UNKNOWN_HASH}`, `bob,${HASHES.bob}`].join("\n");
    const unmigrated = await runTessera(["users", "import", "-", "--dry-run"], { databaseUrl, stdin: csv });
    assert.equal(unmigrated.code, 1);
    assert.match(unmigrated.stderr, /run "tessera migrate"/);
    assert.equal((await runTessera(["migrate"], { databaseUrl })).code, 0);
    const dry = await runTessera(["users", "import", "-", "--format", "csv", "--dry-run"], { databaseUrl, stdin: csv });
    assert.equal(dry.code, 1);
    assert.equal(dry.stdout, "would import 2, skipped 1, failed 1\n");
    const listed = await runTessera(["users", "list", "--json"], { databaseUrl });
    assert.deepEqual(JSON.parse(listed.stdout), [], "a dry run writes no user");

    const real = await runTessera(["users", "import", "-", "--format", "csv"], { databaseUrl, stdin: csv });
    assert.equal(real.stdout, "imported 2, skipped 1, failed 1\n");
    // A JSON file forced to CSV is all failures, not a crash.
    const forced = writeImportFile("users.jsonl", [JSON.stringify({ username: "carol", password_hash: HASHES.carol })]);
    const wrongFormat = await runTessera(["users", "import", forced, "--format", "csv"], { databaseUrl });
    assert.equal(wrongFormat.code, 1);
    assert.equal(wrongFormat.stdout, "imported 0, skipped 0, failed 1\n");
  });

  void it("exits 1 for a file that cannot be read", async () => {
    const result = await runTessera(["users", "import", join(makeTempDir(), "missing.csv")], { databaseUrl: makeDatabaseUrl() });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot read .*missing\.csv: ENOENT/);
  });
});

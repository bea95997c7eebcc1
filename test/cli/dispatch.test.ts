import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, it } from "node:test";
import { makeDatabaseUrl, runTessera } from "./helpers.js";

const COMMAND_LINES = [
  ["serve"],
  ["migrate"],
  ["users"],
  ["users", "create"],
  ["users", "list"],
  ["users", "delete"],
  ["users", "set-password"],
  ["users", "import"],
  ["tokens"],
  ["tokens", "list"],
  ["tokens", "revoke"],
  ["sessions"],
  ["sessions", "list"],
  ["sessions", "revoke"],
  ["keys"],
  ["keys", "list"],
  ["keys", "rotate"],
];

void describe("tessera dispatch", () => {
  void it("prints the command list for --help, -h and help, exit 0", async () => {
    for (const flag of ["--help", "-h", "help"]) {
      const result = await runTessera([flag]);
      assert.equal(result.code, 0, flag);
      assert.match(result.stdout, /^Usage: tessera <command>/);
      for (const command of ["serve", "migrate", "users", "tokens", "sessions", "keys"]) assert.ok(result.stdout.includes(command), command);
      assert.equal(result.stderr, "");
    }
  });

  void it("prints usage on stdout with exit 0 for --help on every command and subcommand", async () => {
    for (const argv of COMMAND_LINES) {
      const result = await runTessera([...argv, "--help"]);
      assert.equal(result.code, 0, argv.join(" "));
      assert.match(result.stdout, new RegExp(`^Usage: tessera ${argv.join(" ")}`), argv.join(" "));
      assert.equal(result.stderr, "", argv.join(" "));
    }
  });

  void it("exits 2 with usage on stderr when no command is given", async () => {
    for (const argv of [[], ["users"], ["tokens"], ["sessions"], ["keys"]]) {
      const result = await runTessera(argv);
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.stderr, /^Usage: tessera/);
      assert.equal(result.stdout, "");
    }
  });

  void it("exits 2 for an unknown command or subcommand", async () => {
    const unknown = await runTessera(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const unknownSub = await runTessera(["users", "frobnicate"]);
    assert.equal(unknownSub.code, 2);
    assert.match(unknownSub.stderr, /unknown command "users frobnicate"/);
    assert.match(unknownSub.stderr, /tessera users --help/);
  });

  void it("exits 2 for an unknown flag, a missing argument, an extra argument or a bad value", async () => {
    const databaseUrl = makeDatabaseUrl();
    const cases: [string[], RegExp][] = [
      [["users", "list", "--frobnicate"], /--frobnicate/],
      [["users", "create"], /missing USERNAME/],
      [["users", "delete", "a", "b"], /unexpected argument "b"/],
      [["users", "create", "not a name!"], /USERNAME must be/],
      [["users", "create", "ada", "--email", "nope"], /--email/],
      [["users", "import", "x.csv", "--format", "xml"], /--format must be one of csv, jsonl/],
      [["tokens", "revoke", "abc"], /ID must be a positive integer/],
      [["sessions", "revoke", "ada", "--session", "-1"], /--session/],
      [["keys", "rotate", "--alg", "none"], /--alg must be one of EdDSA, ES256, RS256, HS256/],
      [["keys", "list", "--database"], /--database/],
    ];
    for (const [argv, message] of cases) {
      const result = await runTessera(argv, { databaseUrl });
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.stderr, message, argv.join(" "));
      assert.match(result.stderr, /--help" for usage/, argv.join(" "));
    }
  });

  void it("exits 2 for a bad database URL, without echoing it", async () => {
    const secretUrl = "mysql://root:hunter2@db/tessera";
    for (const result of [
      await runTessera(["users", "list", "--database", secretUrl]),
      await runTessera(["users", "list"], { env: { TESSERA_DATABASE_URL: secretUrl } }),
    ]) {
      assert.equal(result.code, 2);
      assert.match(result.stderr, /invalid configuration: TESSERA_DATABASE_URL/);
      assert.ok(!result.stderr.includes("hunter2"));
    }
  });

  void it("exits 2 for a bad setting in the environment, as the server does", async () => {
    const result = await runTessera(["users", "list"], { databaseUrl: makeDatabaseUrl(), env: { TESSERA_JWT_ALG: "none" } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /TESSERA_JWT_ALG/);
  });

  void it("exits 1 with a pointer to migrate when a read-only command finds no database, and creates nothing", async () => {
    const databaseUrl = makeDatabaseUrl();
    for (const command of [["users", "list"], ["keys", "list"], ["tokens", "list", "ada"]]) {
      const result = await runTessera(command, { databaseUrl });
      assert.equal(result.code, 1, command.join(" "));
      assert.match(result.stderr, /run "tessera migrate"/);
    }
    assert.equal(existsSync(dirname(databaseUrl.slice("sqlite:".length))), false, "not even the directory");
  });

  void it("exits 1 with a pointer to migrate when a read-only command finds an empty database", async () => {
    const databaseUrl = makeDatabaseUrl();
    const path = databaseUrl.slice("sqlite:".length);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, "");
    const result = await runTessera(["users", "list"], { databaseUrl });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no Tessera schema yet; run "tessera migrate"/);
  });

  void it("exits 1 without hanging when the database's directory cannot be made", async () => {
    const result = await runTessera(["migrate", "--database", "sqlite:/proc/tessera-no-such-dir/x.db"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /database is unavailable/);
  });

  void it("exits 1 when the database cannot be opened", async () => {
    // A directory where the database file should be: SQLite cannot open it.
    const result = await runTessera(["migrate", "--database", "sqlite:/"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /database is unavailable/);
  });

  void it("prints the package version", async () => {
    const result = await runTessera(["--version"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+/);
  });
});

void describe("tessera migrate", () => {
  void it("applies the migrations once and says so", async () => {
    const databaseUrl = makeDatabaseUrl();
    const first = await runTessera(["migrate", "--database", databaseUrl]);
    assert.equal(first.code, 0);
    assert.equal(first.stdout, "applied 0001_token_tables\napplied 0002_clients\napplied 0003_audit_events\napplied 0004_revocation_owner\napplied 0005_revocations_by_time\napplied 0001_initial\napplied 0002_token_tables_moved\n");
    const second = await runTessera(["migrate"], { databaseUrl });
    assert.equal(second.code, 0);
    assert.equal(second.stdout, "the database is up to date\n");
  });
});

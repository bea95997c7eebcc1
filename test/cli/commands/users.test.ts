import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashToken } from "../../../src/core/tokens/opaque-token.js";
import { createUser, makeDatabaseUrl, openTessera, runTessera, withStore } from "../helpers.js";

const PASSWORD = "correct horse battery";

interface ListedUser {
  id: number;
  username: string;
  email: string | null;
  is_admin: boolean;
  created_at: string;
  last_seen_at: string | null;
}

void describe("tessera users create", () => {
  void it("creates a user with the password from stdin and prints its id", async () => {
    const databaseUrl = makeDatabaseUrl();
    const result = await runTessera(["users", "create", "ada", "--email", "ada@example.com", "--admin"], {
      databaseUrl,
      stdin: `${PASSWORD}\nignored second line\n`,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d+\n$/);
    await withStore(databaseUrl, async (store) => {
      const user = await store.users.getUserByUsername("ada");
      assert.ok(user);
      assert.equal(user.id, Number(result.stdout));
      assert.equal(user.email, "ada@example.com");
      assert.equal(user.isAdmin, true);
      assert.match(user.passwordHash, /^\$argon2id\$/);
      const tessera = await openTessera(store);
      try {
        assert.equal((await tessera.checkPassword("ada", PASSWORD)).ok, true);
        assert.equal((await tessera.checkPassword("ada", "ignored second line")).ok, false);
      } finally {
        await tessera.close();
      }
    });
  });

  void it("keeps a password with spaces and strips only the line ending (CRLF too)", async () => {
    const databaseUrl = makeDatabaseUrl();
    assert.equal((await runTessera(["users", "create", "bob", "--password-stdin"], { databaseUrl, stdin: `  ${PASSWORD}  \r\n` })).code, 0);
    await withStore(databaseUrl, async (store) => {
      const tessera = await openTessera(store);
      try {
        assert.equal((await tessera.checkPassword("bob", `  ${PASSWORD}  `)).ok, true);
      } finally {
        await tessera.close();
      }
    });
  });

  void it("refuses a taken username (any case) with exit 1", async () => {
    const databaseUrl = makeDatabaseUrl();
    await createUser(databaseUrl, "ada");
    const result = await runTessera(["users", "create", "ADA"], { databaseUrl, stdin: `${PASSWORD}\n` });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /username "ADA" is already taken/);
    assert.equal(result.stdout, "");
  });

  void it("refuses a password the policy rejects with exit 1, and never prints it", async () => {
    const databaseUrl = makeDatabaseUrl();
    for (const [password, message] of [
      ["short", /at least 8 characters/],
      ["password123", /too common/],
    ] as const) {
      const result = await runTessera(["users", "create", "ada"], { databaseUrl, stdin: `${password}\n` });
      assert.equal(result.code, 1);
      assert.match(result.stderr, message);
      assert.ok(!result.stderr.includes(password));
    }
    await withStore(databaseUrl, async (store) => assert.equal(await store.users.getUserByUsername("ada"), null));
  });

  void it("exits 2 when there is no password on stdin", async () => {
    const databaseUrl = makeDatabaseUrl();
    const none = await runTessera(["users", "create", "ada"], { databaseUrl });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /read from stdin/);
    const empty = await runTessera(["users", "create", "ada"], { databaseUrl, stdin: "" });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /expected the password on the first line of stdin/);
    await withStore(databaseUrl, async (store) => assert.equal(await store.users.getUserByUsername("ada"), null));
  });

  void it("exits 1 for a password line longer than any password may be", async () => {
    const result = await runTessera(["users", "create", "ada"], { databaseUrl: makeDatabaseUrl(), stdin: "x".repeat(9000) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /too long/);
  });
});

void describe("tessera users list", () => {
  void it("lists users as a table and as JSON, never with password hashes", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada", PASSWORD, ["--admin", "--email", "ada@example.com"]);
    const bobId = await createUser(databaseUrl, "bob");

    const table = await runTessera(["users", "list"], { databaseUrl });
    assert.equal(table.code, 0);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0] ?? "", /^ID\s+USERNAME\s+EMAIL\s+ADMIN\s+CREATED\s+LAST SEEN$/);
    assert.match(lines[1] ?? "", new RegExp(`^${adaId}\\s+ada\\s+ada@example\\.com\\s+yes\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+-$`));
    assert.match(lines[2] ?? "", new RegExp(`^${bobId}\\s+bob\\s+-\\s+no\\s`));
    assert.ok(!table.stdout.includes("$argon2"));

    const json = await runTessera(["users", "list", "--json"], { databaseUrl });
    assert.equal(json.code, 0);
    const users = JSON.parse(json.stdout) as ListedUser[];
    assert.deepEqual(
      users.map((user) => [user.id, user.username, user.email, user.is_admin, user.last_seen_at]),
      [
        [adaId, "ada", "ada@example.com", true, null],
        [bobId, "bob", null, false, null],
      ],
    );
    assert.deepEqual(Object.keys(users[0] ?? {}).sort(), ["created_at", "email", "id", "is_admin", "last_seen_at", "username"]);
    assert.ok(!json.stdout.includes("$argon2"));
  });

  void it("lists more users than one page", async () => {
    const databaseUrl = makeDatabaseUrl();
    await withStore(databaseUrl, async (store) => {
      for (let index = 0; index < 1203; index += 1) {
        await store.users.createUser({ username: `user${index}`, passwordHash: "$2b$04$x", now: 1 });
      }
    });
    const result = await runTessera(["users", "list", "--json"], { databaseUrl });
    assert.equal(result.code, 0);
    const users = JSON.parse(result.stdout) as ListedUser[];
    assert.equal(users.length, 1203);
    assert.equal(new Set(users.map((user) => user.id)).size, 1203);
  });
});

void describe("tessera users delete", () => {
  void it("deletes the user and revokes every token it held, through the revocations table", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const bobId = await createUser(databaseUrl, "bob");
    const issued = await withStore(databaseUrl, async (store) => {
      const tessera = await openTessera(store);
      try {
        const user = await store.users.getUserById(adaId);
        assert.ok(user);
        const pair = await tessera.startSession(user, { scope: "users:read users:write posts:read posts:write" });
        return { accessToken: pair.accessToken, sessionId: pair.sessionId };
      } finally {
        await tessera.close();
      }
    });

    const result = await runTessera(["users", "delete", "ADA"], { databaseUrl });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`deleted user "ada" \\(id ${adaId}\\)`));

    await withStore(databaseUrl, async (store) => {
      assert.equal(await store.users.getUserById(adaId), null);
      assert.ok(await store.users.getUserById(bobId), "other users stay");
      const revocations = await store.tokens.listRevocations({ now: Date.now() });
      assert.ok(revocations.some((entry) => entry.kind === "user" && entry.value === String(adaId)));
      assert.ok(revocations.some((entry) => entry.kind === "sid" && entry.value === String(issued.sessionId)));
      // A server instance that loads the revocations rejects the access token already issued.
      const tessera = await openTessera(store);
      try {
        const verdict = await tessera.verify(issued.accessToken);
        assert.equal(verdict.ok, false);
        assert.equal(verdict.ok ? null : verdict.code, "token_revoked");
      } finally {
        await tessera.close();
      }
    });
  });

  void it("accepts an id, and exits 1 for an unknown user", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const missing = await runTessera(["users", "delete", "nobody"], { databaseUrl });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no user "nobody"/);
    const byId = await runTessera(["users", "delete", String(adaId)], { databaseUrl });
    assert.equal(byId.code, 0, byId.stderr);
    const again = await runTessera(["users", "delete", `id:${adaId}`], { databaseUrl });
    assert.equal(again.code, 1);
  });

  void it("refuses a reference that is one user's name and another's id", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const numericId = await createUser(databaseUrl, String(adaId));
    const ambiguous = await runTessera(["users", "delete", String(adaId)], { databaseUrl });
    assert.equal(ambiguous.code, 1);
    assert.ok(ambiguous.stderr.includes(`write name:${adaId} or id:${adaId}`), ambiguous.stderr);
    await withStore(databaseUrl, async (store) => {
      assert.ok(await store.users.getUserById(adaId));
      assert.ok(await store.users.getUserById(numericId));
    });
    assert.equal((await runTessera(["users", "delete", `name:${adaId}`], { databaseUrl })).code, 0);
    await withStore(databaseUrl, async (store) => {
      assert.ok(await store.users.getUserById(adaId), "the user named by id survives");
      assert.equal(await store.users.getUserById(numericId), null);
    });
  });
});

void describe("tessera users set-password", () => {
  void it("sets the password and revokes the user's sessions, not their personal access tokens", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const issued = await withStore(databaseUrl, async (store) => {
      const tessera = await openTessera(store);
      try {
        const user = await store.users.getUserById(adaId);
        assert.ok(user);
        const first = await tessera.startSession(user, { scope: "users:read" });
        const second = await tessera.startSession(user, { scope: "users:read" });
        const pat = await tessera.personalAccessTokens.create(adaId, { name: "ci", scope: "posts:read" });
        return { first, second, pat: pat.token };
      } finally {
        await tessera.close();
      }
    });

    const result = await runTessera(["users", "set-password", "ada"], { databaseUrl, stdin: "a brand new passphrase\n" });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /password of "ada" changed; 2 session\(s\) revoked/);
    assert.ok(!result.stdout.includes("brand new") && !result.stderr.includes("brand new"));

    await withStore(databaseUrl, async (store) => {
      const tessera = await openTessera(store);
      try {
        assert.equal((await tessera.checkPassword("ada", PASSWORD)).ok, false);
        assert.equal((await tessera.checkPassword("ada", "a brand new passphrase")).ok, true);
        for (const pair of [issued.first, issued.second]) {
          const access = await tessera.verify(pair.accessToken);
          assert.equal(access.ok ? null : access.code, "token_revoked");
          const refresh = await tessera.refresh(pair.refreshToken);
          assert.equal(refresh.ok ? null : refresh.code, "token_revoked");
        }
        assert.equal((await tessera.verify(issued.pat)).ok, true);
        assert.ok(await store.tokens.findTokenByHash(hashToken(issued.pat)));
      } finally {
        await tessera.close();
      }
    });
  });

  void it("exits 1 for an unknown user or a weak password, changing nothing", async () => {
    const databaseUrl = makeDatabaseUrl();
    await createUser(databaseUrl, "ada");
    const missing = await runTessera(["users", "set-password", "nobody"], { databaseUrl, stdin: "a brand new passphrase\n" });
    assert.equal(missing.code, 1);
    const weak = await runTessera(["users", "set-password", "ada"], { databaseUrl, stdin: "qwerty\n" });
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /password must be at least 8 characters/);
    await withStore(databaseUrl, async (store) => {
      const tessera = await openTessera(store);
      try {
        assert.equal((await tessera.checkPassword("ada", PASSWORD)).ok, true);
      } finally {
        await tessera.close();
      }
    });
  });
});

// Security hardening, items 4 and 5: a login with the old password that overlapped a password
// change kept a live 30-day session, and a login racing the deletion of its user answered 500 or
// left a token for a user that no longer exists.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTessera } from "../../src/index.js";
import { createPasswordHasher } from "../../src/core/passwords/index.js";
import { openTokenStore } from "../../src/stores/index.js";

interface User {
  id: string;
  passwordHash: string;
}

const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });

/** A facade whose users change between the password check and the session: the race, made deterministic. */
async function racingFacade(afterCheck: (users: Map<string, User>) => void) {
  const store = await openTokenStore("sqlite::memory:");
  await store.migrate();
  const users = new Map<string, User>([["u1", { id: "u1", passwordHash: await hasher.hash("old password!") }]]);
  const tessera = await createTessera<User>({
    store,
    issuer: "https://api.test",
    audience: "api",
    passwordHasher: hasher,
    keyReloadIntervalMs: 0,
    revocationPollIntervalMs: 0,
    users: {
      findForLogin: (username) => {
        const found = username === "ada" ? users.get("u1") : undefined;
        // What the login read; the change lands right after, while it verifies.
        afterCheck(users);
        return found;
      },
      byId: (id) => users.get(id),
    },
  });
  return { store, tessera, close: async () => (await tessera.close(), await store.close()) };
}

void describe("logins racing changes of the user", () => {
  void it("a login with the old password that overlaps a password change fails and leaves no session", async () => {
    const newHash = await hasher.hash("new password!");
    const { store, tessera, close } = await racingFacade((users) => users.set("u1", { id: "u1", passwordHash: newHash }));
    try {
      const login = await tessera.login("ada", "old password!");
      assert.deepEqual(login, { ok: false, code: "credentials_invalid" });
      assert.deepEqual(await store.listSessions("u1"), []);
    } finally {
      await close();
    }
  });

  void it("a login racing the deletion of its user is credentials_invalid, and no token outlives the user", async () => {
    const { store, tessera, close } = await racingFacade((users) => users.delete("u1"));
    try {
      const login = await tessera.login("ada", "old password!");
      assert.deepEqual(login, { ok: false, code: "credentials_invalid" });
      assert.deepEqual(await store.listSessions("u1"), []);
    } finally {
      await close();
    }
  });
});

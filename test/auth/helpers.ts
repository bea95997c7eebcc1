// A facade over a real SQLite token store (in memory) and a small users map, with a clock the
// test moves by hand.
import { randomUUID } from "node:crypto";
import { createTessera, type Tessera, type TesseraOptions } from "../../src/index.js";
import { createPasswordHasher } from "../../src/core/passwords/index.js";
import { openTokenStore } from "../../src/stores/index.js";
import type { SqlTokenStore } from "../../src/stores/index.js";

export interface TestUser {
  id: string;
  username: string;
  passwordHash: string;
}

export interface Fixture {
  tessera: Tessera<TestUser>;
  store: SqlTokenStore;
  users: Map<string, TestUser>;
  clock: { now(): number; advance(ms: number): void };
  addUser(username: string, password: string): Promise<TestUser>;
  close(): Promise<void>;
}

// Cheap argon2 parameters: these tests are about tokens, not hashing cost.
const passwords = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });

export async function createFixture(options: Partial<TesseraOptions<TestUser>> = {}): Promise<Fixture> {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const store = await openTokenStore("sqlite::memory:");
  await store.migrate();
  const users = new Map<string, TestUser>();
  const tessera = await createTessera<TestUser>({
    store,
    issuer: "https://api.test",
    audience: "api",
    clock,
    passwordHasher: passwords,
    scopes: ["notes:read", "notes:write"],
    revocationPollIntervalMs: 0,
    keyReloadIntervalMs: 0,
    users: {
      findForLogin: (username) => [...users.values()].find((user) => user.username === username),
      byId: (id) => users.get(id),
      setPasswordHash: (id, hash) => {
        const user = users.get(id);
        if (user) users.set(id, { ...user, passwordHash: hash });
      },
    },
    ...options,
  });
  return {
    tessera,
    store,
    users,
    clock,
    async addUser(username, password) {
      const user = { id: randomUUID(), username, passwordHash: await passwords.hash(password) };
      users.set(user.id, user);
      return user;
    },
    async close() {
      await tessera.close();
      await store.close();
    },
  };
}

// The server store's behaviour, run on SQLite and PostgreSQL alike, next to a token store on the
// same connection (the way the reference server will use it).
import * as assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ServerStore } from "../../../src/server/store/create-server-store.js";
import type { UserRecord } from "../../../src/server/store/user-record.js";
import type { SqlTokenStore } from "../../../src/stores/index.js";

/** A fresh, migrated server store, the token store it shares a connection with, and a cleanup. */
export interface OpenedServerStore {
  data: ServerStore;
  tokens: SqlTokenStore;
  cleanup(): Promise<void>;
}

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const PHC = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

/**
 * Defines the server-store tests under `describe(name)`; `open` is called once per test.
 *
 * @example
 * runServerStoreCases("sqlite :memory:", openOnSqliteMemory);
 */
export function runServerStoreCases(name: string, open: () => Promise<OpenedServerStore>): void {
  async function withStore(run: (opened: OpenedServerStore) => Promise<void>): Promise<void> {
    const opened = await open();
    try {
      await run(opened);
    } finally {
      await opened.cleanup();
    }
  }

  async function addUser(data: ServerStore, username: string): Promise<UserRecord> {
    const user = await data.users.createUser({ username, passwordHash: PHC, now: T0 });
    assert.ok(user, `createUser(${username}) returned null`);
    return user;
  }

  void describe(`server store: ${name}`, () => {
    void describe("users", () => {
      void test("createUser stores every field and fills the defaults", () =>
        withStore(async ({ data }) => {
          const plain = await addUser(data, "plain");
          assert.deepEqual(plain, {
            id: plain.id,
            username: "plain",
            email: null,
            aboutMe: null,
            passwordHash: PHC,
            isAdmin: false,
            createdAt: T0,
            lastSeenAt: null,
          });
          assert.equal(typeof plain.id, "number");
          const full = await data.users.createUser({
            username: "Full.Name-1",
            passwordHash: "phc",
            email: "full@example.test",
            aboutMe: "about",
            isAdmin: true,
            now: T0 + 1,
          });
          assert.deepEqual(full, {
            id: full?.id,
            username: "Full.Name-1",
            email: "full@example.test",
            aboutMe: "about",
            passwordHash: "phc",
            isAdmin: true,
            createdAt: T0 + 1,
            lastSeenAt: null,
          });
          assert.notEqual(full?.id, plain.id);
          assert.deepEqual(await data.users.getUserById(plain.id), plain);
        }));

      void test("usernames are unique case-insensitively and looked up case-insensitively", () =>
        withStore(async ({ data }) => {
          const alice = await addUser(data, "Alice");
          assert.equal(await data.users.createUser({ username: "alice", passwordHash: "x", now: T0 }), null);
          assert.equal(await data.users.createUser({ username: "ALICE", passwordHash: "x", now: T0 }), null);
          const found = await data.users.getUserByUsername("aLiCe");
          assert.equal(found?.id, alice.id);
          assert.equal(found?.username, "Alice", "the original spelling is kept");
          assert.equal((await data.users.listUsers({ offset: 0, limit: 10 })).total, 1);
        }));

      void test("unknown users are null", () =>
        withStore(async ({ data }) => {
          assert.equal(await data.users.getUserById(987654), null);
          assert.equal(await data.users.getUserByUsername("nobody"), null);
          assert.equal(await data.users.updateUser(987654, { email: "x@example.test" }), null);
          assert.equal(await data.users.deleteUser(987654), false);
        }));

      void test("updateUser patches fields and reports a taken username", () =>
        withStore(async ({ data }) => {
          const alice = await addUser(data, "alice");
          const bob = await addUser(data, "bob");
          const patched = await data.users.updateUser(alice.id, { email: "a@example.test", aboutMe: "hi" });
          assert.ok(patched !== null && patched !== "taken");
          assert.equal(patched.email, "a@example.test");
          assert.equal(patched.aboutMe, "hi");
          const cleared = await data.users.updateUser(alice.id, { email: null });
          assert.ok(cleared !== null && cleared !== "taken");
          assert.equal(cleared.email, null);
          assert.equal(cleared.aboutMe, "hi", "fields absent from the patch stay");
          assert.equal(await data.users.updateUser(alice.id, { username: "BOB" }), "taken");
          assert.equal((await data.users.getUserById(alice.id))?.username, "alice", "a taken rename changes nothing");
          const recased = await data.users.updateUser(alice.id, { username: "ALICE" });
          assert.ok(recased !== null && recased !== "taken", "changing only the case of one's own name is allowed");
          const renamed = await data.users.updateUser(alice.id, { username: "carol" });
          assert.ok(renamed !== null && renamed !== "taken");
          assert.equal(await data.users.getUserByUsername("alice"), null, "the old name is free again");
          assert.deepEqual(await data.users.updateUser(bob.id, {}), bob, "an empty patch returns the user as is");
        }));

      void test("setPasswordHash and touchUser write their column only", () =>
        withStore(async ({ data }) => {
          const user = await addUser(data, "dave");
          await data.users.setPasswordHash(user.id, "new-phc");
          await data.users.touchUser(user.id, T0 + HOUR);
          assert.deepEqual(await data.users.getUserById(user.id), { ...user, passwordHash: "new-phc", lastSeenAt: T0 + HOUR });
        }));

      void test("listUsers pages in id order with the total", () =>
        withStore(async ({ data }) => {
          const users: UserRecord[] = [];
          for (const username of ["u1", "u2", "u3", "u4", "u5"]) users.push(await addUser(data, username));
          const page = await data.users.listUsers({ offset: 1, limit: 2 });
          assert.equal(page.total, 5);
          assert.deepEqual(
            page.items.map((user) => user.username),
            ["u2", "u3"],
          );
          assert.deepEqual(
            (await data.users.listUsers({ offset: 4, limit: 10 })).items.map((user) => user.id),
            [users[4]?.id],
          );
          assert.deepEqual((await data.users.listUsers({ offset: 10, limit: 10 })).items, []);
        }));

      void test("listUsers with search keeps users whose username or email contains it, any case, wildcards literal", () =>
        withStore(async ({ data }) => {
          await addUser(data, "Ada.Lovelace");
          const grace = await addUser(data, "grace");
          await data.users.updateUser(grace.id, { email: "Grace@Navy.example" });
          await addUser(data, "under_score");
          await addUser(data, "underxscore");
          const names = async (search: string) => (await data.users.listUsers({ offset: 0, limit: 10, search })).items.map((user) => user.username);
          assert.deepEqual(await names("ada"), ["Ada.Lovelace"]);
          assert.deepEqual(await names("NAVY.EX"), ["grace"]);
          // `_` and `%` match themselves, not any character.
          assert.deepEqual(await names("r_s"), ["under_score"]);
          assert.deepEqual(await names("%"), []);
          const page = await data.users.listUsers({ offset: 0, limit: 1, search: "score" });
          assert.equal(page.total, 2);
          assert.deepEqual(page.items.map((user) => user.username), ["under_score"]);
        }));

      void test("deleteUser deletes the user and their posts only; the token store's rows are deleteUserData's", () =>
        withStore(async ({ data, tokens }) => {
          const doomed = await addUser(data, "doomed");
          const other = await addUser(data, "other");
          const doomedPost = await data.posts.createPost({ userId: doomed.id, title: "a", body: "a", now: T0 });
          const kept = await data.posts.createPost({ userId: other.id, title: "b", body: "b", now: T0 });
          const session = await tokens.createSession({
            userId: String(doomed.id),
            scope: "",
            userAgent: null,
            ip: null,
            now: T0,
            refreshTokenHash: "h",
            refreshExpiresAt: T0 + HOUR,
          });

          assert.equal(await data.users.deleteUser(doomed.id), true);
          assert.equal(await data.users.getUserById(doomed.id), null);
          assert.equal(await data.posts.getPost(doomedPost.id), null);
          assert.deepEqual(await data.posts.getPost(kept.id), kept);
          assert.equal(await data.users.deleteUser(doomed.id), false, "a second delete finds nothing");
          assert.deepEqual(await tokens.getSession(session.id), session, "the token store is a separate call");
          await tokens.deleteUserData(String(doomed.id));
          assert.equal(await tokens.getSession(session.id), null);
        }));
    });

    void describe("posts", () => {
      void test("create, get with the author's username, update and delete", () =>
        withStore(async ({ data }) => {
          const alice = (await addUser(data, "Alice")).id;
          const post = await data.posts.createPost({ userId: alice, title: "Hello", body: "First post", now: T0 });
          assert.deepEqual(post, {
            id: post.id,
            userId: alice,
            authorUsername: "Alice",
            title: "Hello",
            body: "First post",
            createdAt: T0,
            updatedAt: T0,
          });
          assert.deepEqual(await data.posts.getPost(post.id), post);
          const edited = await data.posts.updatePost(post.id, { body: "Edited" }, T0 + 5);
          assert.deepEqual(edited, { ...post, body: "Edited", updatedAt: T0 + 5 });
          assert.deepEqual(await data.posts.updatePost(post.id, {}, T0 + 9), edited, "an empty patch changes nothing");
          assert.equal(await data.posts.updatePost(987654, { title: "x" }, T0), null);
          await data.users.updateUser(alice, { username: "alice2" });
          assert.equal((await data.posts.getPost(post.id))?.authorUsername, "alice2", "the author's current name");
          assert.equal(await data.posts.deletePost(post.id), true);
          assert.equal(await data.posts.deletePost(post.id), false);
          assert.equal(await data.posts.getPost(post.id), null);
        }));

      void test("listPosts pages newest first, optionally by author, with totals and counts", () =>
        withStore(async ({ data }) => {
          const alice = (await addUser(data, "alice")).id;
          const bob = (await addUser(data, "bob")).id;
          const carol = (await addUser(data, "carol")).id;
          for (let index = 0; index < 5; index += 1) {
            await data.posts.createPost({ userId: index % 2 === 0 ? alice : bob, title: `t${index}`, body: "b", now: T0 + index });
          }
          const page = await data.posts.listPosts({ offset: 1, limit: 2 });
          assert.equal(page.total, 5);
          assert.deepEqual(
            page.items.map((post) => post.title),
            ["t3", "t2"],
          );
          const byAlice = await data.posts.listPosts({ offset: 0, limit: 10, userId: alice });
          assert.equal(byAlice.total, 3);
          assert.deepEqual(
            byAlice.items.map((post) => post.title),
            ["t4", "t2", "t0"],
          );
          assert.equal(await data.posts.countPostsByUser(bob), 2);
          assert.equal(await data.posts.countPostsByUser(carol), 0);
          assert.deepEqual(
            await data.posts.getPostCounts([alice, bob, carol]),
            new Map([
              [alice, 3],
              [bob, 2],
              [carol, 0],
            ]),
          );
          assert.deepEqual(await data.posts.getPostCounts([]), new Map());
        }));
    });
  });
}

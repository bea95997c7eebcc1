import * as assert from "node:assert/strict";
import { describe, test } from "node:test";
import { openSqlStore, type SqlStore } from "../../../src/stores/index.js";
import { createTestSchemaName, dropTestSchema, requireTestPostgres } from "../../support/postgres.js";

const T0 = 1_700_000_000_000;

interface OpenedStore {
  store: SqlStore;
  cleanup(): Promise<void>;
}

function runPostStoreTests(name: string, open: () => Promise<OpenedStore>): void {
  async function withStore(run: (store: SqlStore) => Promise<void>): Promise<void> {
    const { store, cleanup } = await open();
    try {
      await run(store);
    } finally {
      await cleanup();
    }
  }

  async function addUser(store: SqlStore, username: string): Promise<number> {
    const user = await store.auth.createUser({ username, passwordHash: "x", now: T0 });
    assert.ok(user);
    return user.id;
  }

  void describe(`PostStore: ${name}`, () => {
    void test("create, get with the author's username, update and delete", () =>
      withStore(async (store) => {
        const alice = await addUser(store, "Alice");
        const post = await store.posts.createPost({ userId: alice, title: "Hello", body: "First post", now: T0 });
        assert.deepEqual(post, {
          id: post.id,
          userId: alice,
          authorUsername: "Alice",
          title: "Hello",
          body: "First post",
          createdAt: T0,
          updatedAt: T0,
        });
        assert.deepEqual(await store.posts.getPost(post.id), post);

        const edited = await store.posts.updatePost(post.id, { body: "Edited" }, T0 + 5);
        assert.deepEqual(edited, { ...post, body: "Edited", updatedAt: T0 + 5 });
        assert.deepEqual(await store.posts.updatePost(post.id, {}, T0 + 9), edited, "an empty patch changes nothing");
        assert.equal(await store.posts.updatePost(987654, { title: "x" }, T0), null);

        await store.auth.updateUser(alice, { username: "alice2" });
        assert.equal((await store.posts.getPost(post.id))?.authorUsername, "alice2", "the author's current name");

        assert.equal(await store.posts.deletePost(post.id), true);
        assert.equal(await store.posts.deletePost(post.id), false);
        assert.equal(await store.posts.getPost(post.id), null);
      }));

    void test("listPosts pages newest first, optionally by author, with totals and counts", () =>
      withStore(async (store) => {
        const alice = await addUser(store, "alice");
        const bob = await addUser(store, "bob");
        const carol = await addUser(store, "carol");
        const ids: number[] = [];
        for (let index = 0; index < 5; index += 1) {
          const userId = index % 2 === 0 ? alice : bob;
          const post = await store.posts.createPost({ userId, title: `t${index}`, body: "b", now: T0 + index });
          ids.push(post.id);
        }
        const page = await store.posts.listPosts({ offset: 1, limit: 2 });
        assert.equal(page.total, 5);
        assert.deepEqual(
          page.items.map((post) => post.title),
          ["t3", "t2"],
        );
        const byAlice = await store.posts.listPosts({ offset: 0, limit: 10, userId: alice });
        assert.equal(byAlice.total, 3);
        assert.deepEqual(
          byAlice.items.map((post) => post.title),
          ["t4", "t2", "t0"],
        );
        assert.equal(await store.posts.countPostsByUser(bob), 2);
        assert.equal(await store.posts.countPostsByUser(carol), 0);
        assert.deepEqual(
          await store.posts.getPostCounts([alice, bob, carol]),
          new Map([
            [alice, 3],
            [bob, 2],
            [carol, 0],
          ]),
        );
        assert.deepEqual(await store.posts.getPostCounts([]), new Map());
      }));

    void test("deleting the author deletes their posts", () =>
      withStore(async (store) => {
        const alice = await addUser(store, "alice");
        const bob = await addUser(store, "bob");
        const doomed = await store.posts.createPost({ userId: alice, title: "a", body: "a", now: T0 });
        const kept = await store.posts.createPost({ userId: bob, title: "b", body: "b", now: T0 });
        assert.equal(await store.auth.deleteUser(alice), true);
        assert.equal(await store.posts.getPost(doomed.id), null);
        assert.deepEqual(await store.posts.getPost(kept.id), kept);
        assert.equal((await store.posts.listPosts({ offset: 0, limit: 10 })).total, 1);
      }));
  });
}

runPostStoreTests("sqlite :memory:", async () => {
  const store = await openSqlStore("sqlite::memory:");
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

const pgUrl = await requireTestPostgres();
if (pgUrl !== null) {
  runPostStoreTests("postgres", async () => {
    const schema = createTestSchemaName();
    const store = await openSqlStore(pgUrl, { schema });
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropTestSchema(pgUrl, schema);
      },
    };
  });
}

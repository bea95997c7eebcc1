import type { Updateable } from "kysely";
import { readInteger } from "../../stores/sql/token-store/read-integer.js";
import type { Page } from "./page.js";
import type { ServerStoreContext } from "./server-store-context.js";
import type { PostsTable } from "./server-tables.js";

/**
 * A post of the reference server, with its author's current username.
 *
 * @example
 * const post: PostRecord | null = await data.posts.getPost(1);
 */
export interface PostRecord {
  id: number;
  userId: number;
  authorUsername: string;
  title: string;
  body: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * What `createPost` needs.
 *
 * @example
 * const input: NewPost = { userId: 1, title: "Hi", body: "...", now: Date.now() };
 */
export interface NewPost {
  userId: number;
  title: string;
  body: string;
  now: number;
}

/**
 * The fields `updatePost` may change; absent fields stay as they are.
 *
 * @example
 * await data.posts.updatePost(1, { title: "Renamed" } satisfies PostPatch, Date.now());
 */
export interface PostPatch {
  title?: string;
  body?: string;
}

/**
 * Storage for the reference server's posts. Posts go when their author is deleted.
 *
 * @example
 * const post = await data.posts.createPost({ userId: 1, title: "Hi", body: "...", now: Date.now() });
 */
export interface PostStore {
  createPost(post: NewPost): Promise<PostRecord>;
  getPost(id: number): Promise<PostRecord | null>;
  /** Returns null when the post does not exist. */
  updatePost(id: number, patch: PostPatch, now: number): Promise<PostRecord | null>;
  deletePost(id: number): Promise<boolean>;
  /** Newest first; with `userId`, only that author's posts. */
  listPosts(options: { offset: number; limit: number; userId?: number }): Promise<Page<PostRecord>>;
  countPostsByUser(userId: number): Promise<number>;
  /** Post counts for several users in one query; users without posts map to 0. */
  getPostCounts(userIds: readonly number[]): Promise<Map<number, number>>;
}

/**
 * The PostStore over one Kysely instance (SQLite or PostgreSQL).
 *
 * @example
 * const posts = createSqlPostStore({ db, dialect });
 */
export function createSqlPostStore({ db }: ServerStoreContext): PostStore {
  function selectPosts() {
    return db
      .selectFrom("posts")
      .innerJoin("users", "users.id", "posts.user_id")
      .select(["posts.id", "posts.user_id", "users.username", "posts.title", "posts.body", "posts.created_at", "posts.updated_at"]);
  }
  type PostRow = Awaited<ReturnType<ReturnType<typeof selectPosts>["executeTakeFirstOrThrow"]>>;
  function toPostRecord(row: PostRow): PostRecord {
    return {
      id: row.id,
      userId: row.user_id,
      authorUsername: row.username,
      title: row.title,
      body: row.body,
      createdAt: readInteger(row.created_at),
      updatedAt: readInteger(row.updated_at),
    };
  }
  async function getPost(id: number): Promise<PostRecord | null> {
    const row = await selectPosts().where("posts.id", "=", id).executeTakeFirst();
    return row === undefined ? null : toPostRecord(row);
  }
  const countAll = () => db.selectFrom("posts").select((eb) => eb.fn.countAll<number | string | bigint>().as("total"));

  return {
    async createPost(post) {
      const { id } = await db
        .insertInto("posts")
        .values({ user_id: post.userId, title: post.title, body: post.body, created_at: post.now, updated_at: post.now })
        .returning("id")
        .executeTakeFirstOrThrow();
      const created = await getPost(id);
      if (created === null) throw new Error("a post vanished right after it was created");
      return created;
    },

    getPost,

    async updatePost(id, patch, now) {
      const values: Updateable<PostsTable> = {};
      if (patch.title !== undefined) values.title = patch.title;
      if (patch.body !== undefined) values.body = patch.body;
      if (Object.keys(values).length === 0) return getPost(id);
      values.updated_at = now;
      const result = await db.updateTable("posts").set(values).where("id", "=", id).executeTakeFirst();
      return result.numUpdatedRows === 0n ? null : getPost(id);
    },

    async deletePost(id) {
      const result = await db.deleteFrom("posts").where("id", "=", id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async listPosts({ offset, limit, userId }) {
      let items = selectPosts();
      let count = countAll();
      if (userId !== undefined) {
        items = items.where("posts.user_id", "=", userId);
        count = count.where("posts.user_id", "=", userId);
      }
      const [rows, counted] = await Promise.all([
        items.orderBy("posts.created_at", "desc").orderBy("posts.id", "desc").limit(limit).offset(offset).execute(),
        count.executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toPostRecord), total: readInteger(counted.total) };
    },

    async countPostsByUser(userId) {
      const row = await countAll().where("user_id", "=", userId).executeTakeFirstOrThrow();
      return readInteger(row.total);
    },

    async getPostCounts(userIds) {
      const counts = new Map<number, number>(userIds.map((id) => [id, 0]));
      if (userIds.length === 0) return counts;
      const rows = await db
        .selectFrom("posts")
        .select(["user_id", (eb) => eb.fn.countAll<number | string | bigint>().as("total")])
        .where("user_id", "in", [...userIds])
        .groupBy("user_id")
        .execute();
      for (const row of rows) counts.set(row.user_id, readInteger(row.total));
      return counts;
    },
  };
}

import { sql, type Selectable, type Updateable } from "kysely";
import { fromDbBoolean, toDbBoolean } from "../../stores/sql/columns.js";
import { readInteger, readNullableInteger } from "../../stores/sql/token-store/read-integer.js";
import type { Page } from "./page.js";
import type { ServerStoreContext } from "./server-store-context.js";
import type { UsersTable } from "./server-tables.js";
import type { NewUser, UserPatch, UserRecord } from "./user-record.js";

/**
 * The reference server's users.
 *
 * @example
 * const user = await data.users.createUser({ username: "ada", passwordHash, now: Date.now() });
 */
export interface UserStore {
  /** Returns null when the username is taken (case-insensitively). */
  createUser(user: NewUser): Promise<UserRecord | null>;
  getUserById(id: number): Promise<UserRecord | null>;
  /** Case-insensitive. */
  getUserByUsername(username: string): Promise<UserRecord | null>;
  /** Returns "taken" on a username clash, null when the user does not exist. */
  updateUser(id: number, patch: UserPatch): Promise<UserRecord | "taken" | null>;
  setPasswordHash(id: number, passwordHash: string): Promise<void>;
  touchUser(id: number, now: number): Promise<void>;
  /**
   * Deletes the user and their posts; false when there was no such user. Their sessions and
   * tokens live in the token store: the server calls its `deleteUserData(String(id))` too.
   */
  deleteUser(id: number): Promise<boolean>;
  /**
   * A page of users in id order. `search` keeps those whose username or email contains it,
   * case-insensitively (the console's user search); `%`, `_` and backslashes in it match themselves.
   */
  listUsers(options: { offset: number; limit: number; search?: string }): Promise<Page<UserRecord>>;
}

/** A LIKE pattern matching `text` anywhere, lower-cased, with the wildcards escaped by a backslash. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The key usernames are unique by. Usernames are ASCII, so JavaScript's lower-casing is the database's. */
function lowerUsername(username: string): string {
  return username.toLowerCase();
}

function toUserRecord(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    aboutMe: row.about_me,
    passwordHash: row.password_hash,
    isAdmin: fromDbBoolean(row.is_admin),
    createdAt: readInteger(row.created_at),
    lastSeenAt: readNullableInteger(row.last_seen_at),
  };
}

/**
 * The UserStore over one Kysely instance (SQLite or PostgreSQL).
 *
 * @example
 * const users = createSqlUserStore({ db, dialect });
 */
export function createSqlUserStore({ db, dialect }: ServerStoreContext): UserStore {
  async function getUserById(id: number): Promise<UserRecord | null> {
    const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toUserRecord(row);
  }

  return {
    async createUser(user) {
      // ON CONFLICT DO NOTHING rather than check-then-insert: two sign-ups racing for one name
      // cannot both win, and neither sees an exception.
      const row = await db
        .insertInto("users")
        .values({
          username: user.username,
          username_lower: lowerUsername(user.username),
          email: user.email ?? null,
          about_me: user.aboutMe ?? null,
          password_hash: user.passwordHash,
          is_admin: toDbBoolean(user.isAdmin ?? false),
          created_at: user.now,
          last_seen_at: null,
        })
        .onConflict((conflict) => conflict.column("username_lower").doNothing())
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toUserRecord(row);
    },

    getUserById,

    async getUserByUsername(username) {
      const row = await db.selectFrom("users").selectAll().where("username_lower", "=", lowerUsername(username)).executeTakeFirst();
      return row === undefined ? null : toUserRecord(row);
    },

    async updateUser(id, patch) {
      const values: Updateable<UsersTable> = {};
      if (patch.username !== undefined) {
        values.username = patch.username;
        values.username_lower = lowerUsername(patch.username);
      }
      if (patch.email !== undefined) values.email = patch.email;
      if (patch.aboutMe !== undefined) values.about_me = patch.aboutMe;
      if (Object.keys(values).length === 0) return getUserById(id);
      try {
        const row = await db.updateTable("users").set(values).where("id", "=", id).returningAll().executeTakeFirst();
        return row === undefined ? null : toUserRecord(row);
      } catch (error) {
        // username_lower is the only unique column an update can touch.
        if (dialect.isUniqueViolation(error)) return "taken";
        throw error;
      }
    },

    async setPasswordHash(id, passwordHash) {
      await db.updateTable("users").set({ password_hash: passwordHash }).where("id", "=", id).execute();
    },

    async touchUser(id, now) {
      await db.updateTable("users").set({ last_seen_at: now }).where("id", "=", id).execute();
    },

    async deleteUser(id) {
      // Posts are deleted here rather than by ON DELETE CASCADE, which SQLite applies only on
      // connections with foreign_keys on.
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom("posts").where("user_id", "=", id).execute();
        const result = await trx.deleteFrom("users").where("id", "=", id).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },

    async listUsers({ offset, limit, search }) {
      // Lower-cased on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
      const pattern = search === undefined || search === "" ? null : containsPattern(search);
      const matching = sql<boolean>`(username_lower like ${pattern} escape '\\' or lower(coalesce(email, '')) like ${pattern} escape '\\')`;
      const [rows, count] = await Promise.all([
        db
          .selectFrom("users")
          .selectAll()
          .$if(pattern !== null, (query) => query.where(matching))
          .orderBy("id")
          .limit(limit)
          .offset(offset)
          .execute(),
        db
          .selectFrom("users")
          .$if(pattern !== null, (query) => query.where(matching))
          .select((eb) => eb.fn.countAll<number | string | bigint>().as("total"))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toUserRecord), total: readInteger(count.total) };
    },
  };
}

import type { Selectable, Updateable } from "kysely";
import type { AuthStore, UserRecord } from "../../core/store.js";
import { fromDbBoolean, toDbBoolean } from "./columns.js";
import type { UsersTable } from "./database.js";
import type { SqlContext } from "./dialect.js";

type UserQueries = Pick<
  AuthStore,
  | "createUser"
  | "getUserById"
  | "getUserByUsername"
  | "updateUser"
  | "setPasswordHash"
  | "touchUser"
  | "deleteUser"
  | "listUsers"
>;

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
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** The user half of the SQL AuthStore. */
export function createUserQueries({ db, dialect }: SqlContext): UserQueries {
  async function getUserById(id: number): Promise<UserRecord | null> {
    const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toUserRecord(row);
  }

  return {
    async createUser(user) {
      // ON CONFLICT DO NOTHING rather than check-then-insert: two sign-ups racing for
      // one name cannot both win, and neither sees an exception.
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
      const row = await db
        .selectFrom("users")
        .selectAll()
        .where("username_lower", "=", lowerUsername(username))
        .executeTakeFirst();
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
      // Sessions, refresh tokens, PATs and posts go with it through ON DELETE CASCADE.
      const result = await db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async listUsers({ offset, limit }) {
      const [rows, count] = await Promise.all([
        db.selectFrom("users").selectAll().orderBy("id").limit(limit).offset(offset).execute(),
        db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll<number>().as("total"))
          .executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toUserRecord), total: count.total };
    },
  };
}

import type { Selectable } from "kysely";
import type { AuthStore, PersonalAccessTokenRecord } from "../../core/store.js";
import type { PersonalAccessTokensTable } from "./database.js";
import type { SqlContext } from "./dialect.js";

type PersonalAccessTokenQueries = Pick<
  AuthStore,
  | "createPersonalAccessToken"
  | "getPersonalAccessTokenByHash"
  | "listPersonalAccessTokens"
  | "revokePersonalAccessToken"
  | "touchPersonalAccessToken"
>;

function toPersonalAccessTokenRecord(row: Selectable<PersonalAccessTokensTable>): PersonalAccessTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    scope: row.scope,
    tokenHash: row.token_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Personal access tokens, for the SQL AuthStore. */
export function createPersonalAccessTokenQueries({ db }: SqlContext): PersonalAccessTokenQueries {
  return {
    async createPersonalAccessToken(token) {
      const row = await db
        .insertInto("personal_access_tokens")
        .values({
          user_id: token.userId,
          name: token.name,
          scope: token.scope,
          token_hash: token.tokenHash,
          created_at: token.now,
          expires_at: token.expiresAt,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toPersonalAccessTokenRecord(row);
    },

    async getPersonalAccessTokenByHash(tokenHash) {
      // Revoked tokens are returned too: the caller tells "revoked" from "unknown".
      const row = await db
        .selectFrom("personal_access_tokens")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst();
      return row === undefined ? null : toPersonalAccessTokenRecord(row);
    },

    async listPersonalAccessTokens(userId) {
      const rows = await db
        .selectFrom("personal_access_tokens")
        .selectAll()
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .execute();
      return rows.map(toPersonalAccessTokenRecord);
    },

    async revokePersonalAccessToken(userId, id, now) {
      // user_id in the WHERE: a user can only revoke their own tokens.
      const row = await db
        .updateTable("personal_access_tokens")
        .set({ revoked_at: now })
        .where("id", "=", id)
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toPersonalAccessTokenRecord(row);
    },

    async touchPersonalAccessToken(id, now) {
      await db.updateTable("personal_access_tokens").set({ last_used_at: now }).where("id", "=", id).execute();
    },
  };
}

import type { Kysely, Selectable } from "kysely";
import type { StoredTokenRecord, TokenSelector, TokenStore } from "../../../core/token-store.js";
import { readInteger, readNullableInteger } from "./read-integer.js";
import { insertRevocation } from "./revocation-queries.js";
import type { TokenStoreContext } from "./token-store-context.js";
import type { StoredTokensTable, TokenDatabase } from "./token-tables.js";

type StoredTokenQueries = Pick<TokenStore, "createToken" | "findTokenByHash" | "getTokenById" | "listTokens" | "revokeTokens" | "touchToken">;

function toStoredTokenRecord(row: Selectable<StoredTokensTable>): StoredTokenRecord {
  return {
    id: readInteger(row.id),
    kind: row.kind,
    userId: row.user_id,
    name: row.name,
    scope: row.scope,
    tokenHash: row.token_hash,
    createdAt: readInteger(row.created_at),
    expiresAt: readNullableInteger(row.expires_at),
    lastUsedAt: readNullableInteger(row.last_used_at),
    revokedAt: readNullableInteger(row.revoked_at),
  };
}

/** Opaque tokens of every kind, for the SQL TokenStore. */
export function createStoredTokenQueries({ db }: TokenStoreContext): StoredTokenQueries {
  return {
    async createToken(token) {
      const row = await db
        .insertInto("tokens")
        .values({
          kind: token.kind,
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
      return toStoredTokenRecord(row);
    },

    async findTokenByHash(tokenHash) {
      // Revoked and expired tokens are returned too: the caller tells "revoked" from "unknown".
      const row = await db.selectFrom("tokens").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
      return row === undefined ? null : toStoredTokenRecord(row);
    },

    async getTokenById(id) {
      const row = await db.selectFrom("tokens").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : toStoredTokenRecord(row);
    },

    async listTokens(userId, kind) {
      const rows = await db
        .selectFrom("tokens")
        .selectAll()
        .where("user_id", "=", userId)
        .where("kind", "=", kind)
        .where("revoked_at", "is", null)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .execute();
      return rows.map(toStoredTokenRecord);
    },

    async revokeTokens(selector, now, options = {}) {
      const entries = options.entries;
      if (entries === undefined) return revokeTokenRows(db, selector, now);
      return db.transaction().execute(async (trx) => {
        const records = await revokeTokenRows(trx, selector, now);
        for (const entry of entries(records)) await insertRevocation(trx, entry);
        return records;
      });
    },

    async touchToken(id, now) {
      await db.updateTable("tokens").set({ last_used_at: now }).where("id", "=", id).execute();
    },
  };
}

async function revokeTokenRows(db: Kysely<TokenDatabase>, selector: TokenSelector, now: number): Promise<StoredTokenRecord[]> {
  let query = db.updateTable("tokens").set({ revoked_at: now }).where("revoked_at", "is", null);
  if ("id" in selector) {
    query = query.where("id", "=", selector.id);
    // With userId in the WHERE, a user can only revoke their own tokens.
    if (selector.userId !== undefined) query = query.where("user_id", "=", selector.userId);
  } else {
    query = query.where("user_id", "=", selector.userId);
    if (selector.kind !== undefined) query = query.where("kind", "=", selector.kind);
  }
  const rows = await query.returningAll().execute();
  return rows.map(toStoredTokenRecord).sort((a, b) => a.id - b.id);
}

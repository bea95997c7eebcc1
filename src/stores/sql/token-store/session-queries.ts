import type { Kysely, Selectable } from "kysely";
import type { RefreshTokenRecord, SessionRecord, SessionSelector, TokenStore } from "../../../core/token-store.js";
import { readInteger, readNullableInteger } from "./read-integer.js";
import { insertRevocation } from "./revocation-queries.js";
import type { TokenStoreContext } from "./token-store-context.js";
import type { TokenDatabase, TokenSessionsTable } from "./token-tables.js";

type SessionQueries = Pick<
  TokenStore,
  "createSession" | "getSession" | "listSessions" | "touchSession" | "revokeSessions" | "getRefreshToken" | "rotateRefreshToken"
>;

function toSessionRecord(row: Selectable<TokenSessionsTable>): SessionRecord {
  return {
    id: readInteger(row.id),
    userId: row.user_id,
    scope: row.scope,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: readInteger(row.created_at),
    lastUsedAt: readInteger(row.last_used_at),
    revokedAt: readNullableInteger(row.revoked_at),
  };
}

/** Sessions and their refresh chains, for the SQL TokenStore. */
export function createSessionQueries({ db }: TokenStoreContext): SessionQueries {
  return {
    async createSession(session) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto("sessions")
          .values({
            user_id: session.userId,
            scope: session.scope,
            user_agent: session.userAgent,
            ip: session.ip,
            created_at: session.now,
            last_used_at: session.now,
            revoked_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const record = toSessionRecord(row);
        await trx
          .insertInto("refresh_tokens")
          .values({
            token_hash: session.refreshTokenHash,
            session_id: record.id,
            user_id: session.userId,
            created_at: session.now,
            expires_at: session.refreshExpiresAt,
            spent_at: null,
          })
          .execute();
        return record;
      });
    },

    async getSession(id) {
      const row = await db.selectFrom("sessions").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : toSessionRecord(row);
    },

    async listSessions(userId) {
      const rows = await db
        .selectFrom("sessions")
        .selectAll()
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .execute();
      return rows.map(toSessionRecord);
    },

    async touchSession(id, now) {
      await db.updateTable("sessions").set({ last_used_at: now }).where("id", "=", id).execute();
    },

    async revokeSessions(selector, now, options = {}) {
      const entries = options.entries;
      if (entries === undefined) return revokeSessionRows(db, selector, now);
      return db.transaction().execute(async (trx) => {
        const ids = await revokeSessionRows(trx, selector, now);
        for (const entry of entries(ids)) await insertRevocation(trx, entry);
        return ids;
      });
    },

    async getRefreshToken(tokenHash): Promise<RefreshTokenRecord | null> {
      const row = await db
        .selectFrom("refresh_tokens as r")
        .innerJoin("sessions as s", "s.id", "r.session_id")
        .select([
          "r.token_hash",
          "r.session_id",
          "r.user_id",
          "r.created_at",
          "r.expires_at",
          "r.spent_at",
          "s.revoked_at as session_revoked_at",
        ])
        .where("r.token_hash", "=", tokenHash)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        tokenHash: row.token_hash,
        sessionId: readInteger(row.session_id),
        userId: row.user_id,
        createdAt: readInteger(row.created_at),
        expiresAt: readInteger(row.expires_at),
        spentAt: readNullableInteger(row.spent_at),
        sessionRevoked: row.session_revoked_at !== null,
      };
    },

    async rotateRefreshToken({ oldHash, newHash, now, newExpiresAt }) {
      return db.transaction().execute(async (trx) => {
        // The conditional UPDATE is the whole race guard: the database lets exactly one writer
        // flip spent_at from NULL (on PostgreSQL the losers wait on the row lock, then re-check
        // the WHERE and match nothing). Reading first and writing after would let two
        // concurrent refreshes both succeed.
        const spent = await trx
          .updateTable("refresh_tokens")
          .set({ spent_at: now })
          .where("token_hash", "=", oldHash)
          .where("spent_at", "is", null)
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom("sessions")
                .select("sessions.id")
                .whereRef("sessions.id", "=", "refresh_tokens.session_id")
                .where("sessions.revoked_at", "is", null),
            ),
          )
          .returning(["session_id", "user_id"])
          .execute();
        const link = spent[0];
        // Exactly one row updated, or nothing happened.
        if (spent.length !== 1 || link === undefined) return false;
        await trx
          .insertInto("refresh_tokens")
          .values({
            token_hash: newHash,
            session_id: readInteger(link.session_id),
            user_id: link.user_id,
            created_at: now,
            expires_at: newExpiresAt,
            spent_at: null,
          })
          .execute();
        return true;
      });
    },
  };
}

async function revokeSessionRows(db: Kysely<TokenDatabase>, selector: SessionSelector, now: number): Promise<number[]> {
  // One UPDATE with revoked_at IS NULL in its WHERE: an already revoked session keeps its
  // time and is not reported, and concurrent calls never both claim the same session.
  let query = db.updateTable("sessions").set({ revoked_at: now }).where("revoked_at", "is", null);
  if ("sessionId" in selector) {
    query = query.where("id", "=", selector.sessionId);
    if (selector.userId !== undefined) query = query.where("user_id", "=", selector.userId);
  } else {
    query = query.where("user_id", "=", selector.userId);
    if (selector.exceptSessionId !== undefined) query = query.where("id", "!=", selector.exceptSessionId);
  }
  const rows = await query.returning("id").execute();
  return rows.map((row) => readInteger(row.id)).sort((a, b) => a - b);
}

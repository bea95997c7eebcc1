import type { Selectable } from "kysely";
import type { AuthStore, RefreshTokenRecord, SessionRecord } from "../../core/store.js";
import type { SessionsTable } from "./database.js";
import type { SqlContext } from "./dialect.js";

type SessionQueries = Pick<
  AuthStore,
  | "createSession"
  | "getSession"
  | "listSessions"
  | "touchSession"
  | "revokeSession"
  | "revokeUserSessions"
  | "getRefreshToken"
  | "rotateRefreshToken"
  | "deleteExpiredSessions"
>;

function toSessionRecord(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    scope: row.scope,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Sessions and their refresh chains, for the SQL AuthStore. */
export function createSessionQueries({ db }: SqlContext): SessionQueries {
  return {
    async deleteExpiredSessions(now) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom("refresh_tokens").where("expires_at", "<=", now).execute();
        // A session whose every refresh token has expired can mint nothing more, and its last
        // access token expired long before (minutes, against days): it is over.
        const result = await trx
          .deleteFrom("sessions")
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom("refresh_tokens").select("refresh_tokens.token_hash").whereRef("refresh_tokens.session_id", "=", "sessions.id"))),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },

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
        await trx
          .insertInto("refresh_tokens")
          .values({
            token_hash: session.refreshTokenHash,
            session_id: row.id,
            user_id: session.userId,
            created_at: session.now,
            expires_at: session.refreshExpiresAt,
            spent_at: null,
          })
          .execute();
        return toSessionRecord(row);
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

    async revokeSession(id, now) {
      const result = await db
        .updateTable("sessions")
        .set({ revoked_at: now })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async revokeUserSessions(userId, now, options) {
      let query = db
        .updateTable("sessions")
        .set({ revoked_at: now })
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null);
      const except = options?.exceptSessionId;
      if (except !== undefined) query = query.where("id", "!=", except);
      const rows = await query.returning("id").execute();
      return rows.map((row) => row.id).sort((a, b) => a - b);
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
        sessionId: row.session_id,
        userId: row.user_id,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        spentAt: row.spent_at,
        sessionRevoked: row.session_revoked_at !== null,
      };
    },

    async rotateRefreshToken({ oldHash, newHash, now, newExpiresAt }) {
      return db.transaction().execute(async (trx) => {
        // The conditional UPDATE is the whole race guard: the database lets exactly
        // one writer flip spent_at from NULL (on PostgreSQL the losers wait on the row
        // lock, then re-check the WHERE and match nothing). Reading first and writing
        // after would let two concurrent refreshes both succeed.
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
            session_id: link.session_id,
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

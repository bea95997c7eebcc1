import type { TokenStore } from "../../../core/token-store.js";
import type { TokenStoreContext } from "./token-store-context.js";

type CleanupQueries = Pick<TokenStore, "deleteExpired" | "deleteUserData">;

// Neither query leans on ON DELETE CASCADE: on a SQLite connection the app opened, foreign keys
// may be off, and the store does not change the app's pragmas.

/** Housekeeping and a deleted user's rows, for the SQL TokenStore. */
export function createCleanupQueries({ db }: TokenStoreContext): CleanupQueries {
  return {
    async deleteExpired(now) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom("refresh_tokens").where("expires_at", "<=", now).execute();
        // A session whose every refresh token has expired can mint nothing more, and its last
        // access token expired long before (minutes, against days): it is over.
        const sessions = await trx
          .deleteFrom("sessions")
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom("refresh_tokens").select("refresh_tokens.token_hash").whereRef("refresh_tokens.session_id", "=", "sessions.id"))),
          )
          .executeTakeFirst();
        const tokens = await trx.deleteFrom("tokens").where("expires_at", "is not", null).where("expires_at", "<=", now).executeTakeFirst();
        const signingKeys = await trx
          .deleteFrom("signing_keys")
          .where("expires_at", "is not", null)
          .where("expires_at", "<=", now)
          .executeTakeFirst();
        const revocations = await trx.deleteFrom("revocations").where("expires_at", "<=", now).executeTakeFirst();
        return {
          sessions: Number(sessions.numDeletedRows),
          tokens: Number(tokens.numDeletedRows),
          signingKeys: Number(signingKeys.numDeletedRows),
          revocations: Number(revocations.numDeletedRows),
        };
      });
    },

    async deleteUserData(userId) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom("refresh_tokens").where("user_id", "=", userId).execute();
        await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
        await trx.deleteFrom("tokens").where("user_id", "=", userId).execute();
      });
    },
  };
}

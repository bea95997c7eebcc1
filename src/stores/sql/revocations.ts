import type { AuthStore, RevocationKind } from "../../core/store.js";
import type { SqlContext } from "./dialect.js";

type RevocationQueries = Pick<AuthStore, "addRevocation" | "listRevocations" | "deleteExpiredRevocations">;

const KINDS: ReadonlySet<string> = new Set<RevocationKind>(["jti", "sid", "user", "pat"]);

function toRevocationKind(kind: string): RevocationKind {
  if (!KINDS.has(kind)) throw new TypeError("unknown revocation kind in the revocations table");
  return kind as RevocationKind;
}

/** Revocation entries, for the SQL AuthStore. One row per (kind, value). */
export function createRevocationQueries({ db }: SqlContext): RevocationQueries {
  return {
    async addRevocation(revocation) {
      // Revoking the same thing twice keeps one row covering both: the later cut-off
      // (for `user`, it kills every token the earlier one did) and the later expiry.
      await db
        .insertInto("revocations")
        .values({
          kind: revocation.kind,
          value: revocation.value,
          revoked_at: revocation.revokedAt,
          expires_at: revocation.expiresAt,
        })
        .onConflict((conflict) =>
          conflict.columns(["kind", "value"]).doUpdateSet((eb) => ({
            revoked_at: eb
              .case()
              .when("excluded.revoked_at", ">", eb.ref("revocations.revoked_at"))
              .then(eb.ref("excluded.revoked_at"))
              .else(eb.ref("revocations.revoked_at"))
              .end(),
            expires_at: eb
              .case()
              .when("excluded.expires_at", ">", eb.ref("revocations.expires_at"))
              .then(eb.ref("excluded.expires_at"))
              .else(eb.ref("revocations.expires_at"))
              .end(),
          })),
        )
        .execute();
    },

    async listRevocations({ now, since }) {
      let query = db.selectFrom("revocations").selectAll().where("expires_at", ">", now);
      if (since !== undefined) query = query.where("revoked_at", ">=", since);
      const rows = await query.orderBy("revoked_at").orderBy("kind").orderBy("value").execute();
      return rows.map((row) => ({
        kind: toRevocationKind(row.kind),
        value: row.value,
        revokedAt: row.revoked_at,
        expiresAt: row.expires_at,
      }));
    },

    async deleteExpiredRevocations(now) {
      const result = await db.deleteFrom("revocations").where("expires_at", "<=", now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

import type { Kysely } from "kysely";
import type { RevocationKind, RevocationRecord, TokenStore } from "../../../core/token-store.js";
import { readInteger } from "./read-integer.js";
import type { TokenStoreContext } from "./token-store-context.js";
import type { TokenDatabase } from "./token-tables.js";

type RevocationQueries = Pick<TokenStore, "addRevocation" | "listRevocations">;

const KINDS: ReadonlySet<string> = new Set<RevocationKind>(["jti", "sid", "user", "token"]);

function toRevocationKind(kind: string): RevocationKind {
  if (!KINDS.has(kind)) throw new TypeError("unknown revocation kind in the revocations table");
  return kind as RevocationKind;
}

/** Revocation entries, for the SQL TokenStore. One row per (kind, value). */
export function createRevocationQueries({ db }: TokenStoreContext): RevocationQueries {
  return {
    async addRevocation(revocation) {
      await insertRevocation(db, revocation);
    },

    async listRevocations({ now, since, after, limit }) {
      let query = db.selectFrom("revocations").selectAll().where("expires_at", ">", now);
      if (since !== undefined) query = query.where("revoked_at", ">=", since);
      if (after !== undefined) {
        // Keyset paging in (revoked_at, kind, value) order, spelled out (no row-value syntax).
        query = query.where((eb) =>
          eb.or([
            eb("revoked_at", ">", after.revokedAt),
            eb.and([eb("revoked_at", "=", after.revokedAt), eb("kind", ">", after.kind)]),
            eb.and([eb("revoked_at", "=", after.revokedAt), eb("kind", "=", after.kind), eb("value", ">", after.value)]),
          ]),
        );
      }
      query = query.orderBy("revoked_at").orderBy("kind").orderBy("value");
      if (limit !== undefined) query = query.limit(limit);
      const rows = await query.execute();
      return rows.map((row) => ({
        kind: toRevocationKind(row.kind),
        value: row.value,
        revokedAt: readInteger(row.revoked_at),
        expiresAt: readInteger(row.expires_at),
        ...(row.user_id === null ? {} : { userId: row.user_id }),
      }));
    },
  };
}

/** Writes one entry on `db` (the store's connection or one of its transactions). */
export async function insertRevocation(db: Kysely<TokenDatabase>, revocation: RevocationRecord): Promise<void> {
  // Revoking the same thing twice keeps one row covering both: the later cut-off (for
  // `user`, it kills every token the earlier one did) and the later expiry.
  await db
    .insertInto("revocations")
    .values({
      kind: revocation.kind,
      value: revocation.value,
      revoked_at: revocation.revokedAt,
      expires_at: revocation.expiresAt,
      user_id: revocation.kind === "user" ? null : (revocation.userId ?? null),
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
        // The first word on whose entry it is stands.
        user_id: eb.fn.coalesce("revocations.user_id", "excluded.user_id"),
      })),
    )
    .execute();
}

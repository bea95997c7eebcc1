import type { Selectable } from "kysely";
import type { AuthStore, SigningKeyRecord } from "../../core/store.js";
import type { SigningKeysTable } from "./database.js";
import type { SqlContext } from "./dialect.js";

type SigningKeyQueries = Pick<
  AuthStore,
  "listSigningKeys" | "insertSigningKey" | "retireSigningKey" | "deleteExpiredSigningKeys"
>;

function toSigningKeyRecord(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    privateJwk: row.private_jwk,
    publicJwk: row.public_jwk,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    expiresAt: row.expires_at,
  };
}

/** JWT signing keys, for the SQL AuthStore. `listSigningKeys` returns the newest first. */
export function createSigningKeyQueries({ db }: SqlContext): SigningKeyQueries {
  return {
    async listSigningKeys() {
      const rows = await db
        .selectFrom("signing_keys")
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("kid")
        .execute();
      return rows.map(toSigningKeyRecord);
    },

    async insertSigningKey(key) {
      // Several instances may generate a first key at once; the kid decides, no throw.
      const row = await db
        .insertInto("signing_keys")
        .values({
          kid: key.kid,
          alg: key.alg,
          private_jwk: key.privateJwk,
          public_jwk: key.publicJwk,
          created_at: key.createdAt,
          retired_at: key.retiredAt,
          expires_at: key.expiresAt,
        })
        .onConflict((conflict) => conflict.column("kid").doNothing())
        .returning("kid")
        .executeTakeFirst();
      return row !== undefined;
    },

    async retireSigningKey(kid, retiredAt, expiresAt) {
      await db
        .updateTable("signing_keys")
        .set({ retired_at: retiredAt, expires_at: expiresAt })
        .where("kid", "=", kid)
        .execute();
    },

    async deleteExpiredSigningKeys(now) {
      const result = await db
        .deleteFrom("signing_keys")
        .where("expires_at", "is not", null)
        .where("expires_at", "<=", now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

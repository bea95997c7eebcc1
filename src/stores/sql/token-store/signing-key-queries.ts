import type { Selectable } from "kysely";
import type { SigningKeyRecord, TokenStore } from "../../../core/token-store.js";
import { readInteger, readNullableInteger } from "./read-integer.js";
import type { TokenStoreContext } from "./token-store-context.js";
import type { TokenSigningKeysTable } from "./token-tables.js";

type SigningKeyQueries = Pick<TokenStore, "listSigningKeys" | "insertSigningKey" | "retireSigningKey">;

function toSigningKeyRecord(row: Selectable<TokenSigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    privateJwk: row.private_jwk,
    publicJwk: row.public_jwk,
    createdAt: readInteger(row.created_at),
    retiredAt: readNullableInteger(row.retired_at),
    expiresAt: readNullableInteger(row.expires_at),
  };
}

/** JWT signing keys, for the SQL TokenStore. `listSigningKeys` returns the newest first. */
export function createSigningKeyQueries({ db }: TokenStoreContext): SigningKeyQueries {
  return {
    async listSigningKeys() {
      const rows = await db.selectFrom("signing_keys").selectAll().orderBy("created_at", "desc").orderBy("kid").execute();
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
      await db.updateTable("signing_keys").set({ retired_at: retiredAt, expires_at: expiresAt }).where("kid", "=", kid).execute();
    },
  };
}

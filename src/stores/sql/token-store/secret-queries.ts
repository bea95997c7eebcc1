import type { TokenStore } from "../../../core/token-store.js";
import type { TokenStoreContext } from "./token-store-context.js";

type SecretQueries = Pick<TokenStore, "getOrCreateSecret">;

/** Shared named secrets, for the SQL TokenStore. */
export function createSecretQueries({ db }: TokenStoreContext): SecretQueries {
  async function readSecret(name: string): Promise<string | undefined> {
    const row = await db.selectFrom("secrets").select("value").where("name", "=", name).executeTakeFirst();
    return row?.value;
  }

  return {
    async getOrCreateSecret(name, create) {
      const existing = await readSecret(name);
      if (existing !== undefined) return existing;
      // Instances starting together each propose a value; the first INSERT wins and everyone,
      // losers included, reads that one back.
      await db
        .insertInto("secrets")
        .values({ name, value: create() })
        .onConflict((conflict) => conflict.column("name").doNothing())
        .execute();
      const stored = await readSecret(name);
      if (stored === undefined) throw new Error("a secret vanished right after it was stored");
      return stored;
    },
  };
}

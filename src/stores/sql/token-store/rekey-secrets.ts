import type { SecretsCipher } from "../../../core/secrets-cipher.js";
import type { SqlTokenStore } from "./create-sql-token-store.js";

/** How many values a rekey re-sealed. */
export interface RekeyResult {
  signingKeys: number;
  secrets: number;
}

/**
 * Re-seals every private signing key and named secret with the cipher's current key (values in
 * plain text, from before encryption, are sealed too), in one transaction. Run it after adding a
 * new key in front of `TESSERA_SECRETS_KEY`; afterwards the old key can be dropped.
 *
 * @example
 * const { signingKeys, secrets } = await rekeyStoredSecrets(store, createSecretsCipher([newKey, oldKey]));
 */
export async function rekeyStoredSecrets(store: SqlTokenStore, cipher: SecretsCipher): Promise<RekeyResult> {
  return store.db.transaction().execute(async (trx) => {
    let signingKeys = 0;
    for (const row of await trx.selectFrom("signing_keys").select(["kid", "private_jwk"]).execute()) {
      if (cipher.isCurrent(row.private_jwk)) continue;
      await trx.updateTable("signing_keys").set({ private_jwk: cipher.seal(cipher.open(row.private_jwk)) }).where("kid", "=", row.kid).execute();
      signingKeys += 1;
    }
    let secrets = 0;
    for (const row of await trx.selectFrom("secrets").select(["name", "value"]).execute()) {
      if (cipher.isCurrent(row.value)) continue;
      await trx.updateTable("secrets").set({ value: cipher.seal(cipher.open(row.value)) }).where("name", "=", row.name).execute();
      secrets += 1;
    }
    return { signingKeys, secrets };
  });
}

import type { SecretsCipher } from "../core/secrets-cipher.js";
import type { SigningKeyRecord, TokenStore } from "../core/token-store.js";

/**
 * A token store whose private signing keys and named secrets are sealed with `cipher` on the way
 * in and opened on the way out: a dump of the database alone cannot mint tokens. Values written
 * before encryption was turned on are read as they are, and sealed by the next rekey.
 *
 * @example
 * const tessera = await createTessera({ store: sealTokenStore(store, createSecretsCipher([key])), ... });
 */
export function sealTokenStore(store: TokenStore, cipher: SecretsCipher): TokenStore {
  const open = (record: SigningKeyRecord): SigningKeyRecord => ({ ...record, privateJwk: cipher.open(record.privateJwk) });
  return {
    ...store,
    listSigningKeys: async () => (await store.listSigningKeys()).map(open),
    insertSigningKey: (key) => store.insertSigningKey({ ...key, privateJwk: cipher.seal(key.privateJwk) }),
    getOrCreateSecret: async (name, create) => cipher.open(await store.getOrCreateSecret(name, () => cipher.seal(create()))),
  };
}

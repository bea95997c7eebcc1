import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { ConfigError } from "./errors.js";

/**
 * Encrypts what a token store holds that can mint tokens (private signing keys, the derivation
 * secret) with AES-256-GCM, under a key the database never sees. Each value records the id of
 * the key that sealed it, so keys can be rotated: the first key seals, every key opens.
 *
 * @example
 * const cipher = createSecretsCipher(["k2:" + newKeyBase64, "k1:" + oldKeyBase64]);
 * const sealed = cipher.seal("{\"kty\":\"OKP\",...}"); // "tsr_enc:v1:k2:..."
 */
export interface SecretsCipher {
  /** The id of the key that seals. */
  readonly currentKeyId: string;
  seal(plaintext: string): string;
  /** Opens a sealed value; a value that was never sealed comes back as it is (a database from before encryption). */
  open(value: string): string;
  /** Whether a value is sealed by the current key (so a rekey can skip it). */
  isCurrent(value: string): boolean;
}

const PREFIX = "tsr_enc:v1:";
const KEY_BYTES = 32;
const IV_BYTES = 12;

/**
 * Builds a cipher from `id:base64key` entries (or bare base64 keys, whose id is derived from the
 * key), the first one sealing. Keys must be 32 random bytes. Throws ConfigError naming
 * `TESSERA_SECRETS_KEY` for a bad entry.
 *
 * @example
 * createSecretsCipher([randomBytes(32).toString("base64")]);
 */
export function createSecretsCipher(entries: readonly string[]): SecretsCipher {
  const keys = new Map<string, Buffer>();
  for (const entry of entries) {
    const colon = entry.indexOf(":");
    const encoded = colon === -1 ? entry : entry.slice(colon + 1);
    const key = Buffer.from(encoded, "base64");
    if (key.length !== KEY_BYTES) throw new ConfigError("TESSERA_SECRETS_KEY", "each key must be 32 bytes, base64-encoded (openssl rand -base64 32)");
    const id = colon === -1 ? createHash("sha256").update(key).digest("hex").slice(0, 8) : entry.slice(0, colon);
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new ConfigError("TESSERA_SECRETS_KEY", "a key id is 1-32 letters, digits, - or _");
    keys.set(id, key);
  }
  const current = [...keys.keys()][0];
  if (current === undefined) throw new ConfigError("TESSERA_SECRETS_KEY", "no key given");
  const currentKey = keys.get(current) as Buffer;

  return {
    currentKeyId: current,
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", currentKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${PREFIX}${current}:${iv.toString("base64url")}:${body.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}`;
    },
    open(value) {
      if (!value.startsWith(PREFIX)) return value;
      const [id = "", iv = "", body = "", tag = ""] = value.slice(PREFIX.length).split(":");
      const key = keys.get(id);
      if (key === undefined) throw new ConfigError("TESSERA_SECRETS_KEY", `a stored secret is sealed with key "${id}", which is not configured`);
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    },
    isCurrent: (value) => value.startsWith(`${PREFIX}${current}:`),
  };
}

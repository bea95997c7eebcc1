/** A password-hash scheme Tessera can verify. Only `argon2id` is ever written. */
export type HashScheme =
  | "argon2id"
  | "argon2i"
  | "argon2d"
  | "bcrypt"
  | "sha256-crypt"
  | "sha512-crypt"
  | "werkzeug-pbkdf2"
  | "werkzeug-scrypt";

const PREFIXES: readonly (readonly [RegExp, HashScheme])[] = [
  [/^\$argon2id\$/, "argon2id"],
  [/^\$argon2i\$/, "argon2i"],
  [/^\$argon2d\$/, "argon2d"],
  [/^\$2[aby]\$/, "bcrypt"],
  [/^\$5\$/, "sha256-crypt"],
  [/^\$6\$/, "sha512-crypt"],
  [/^pbkdf2[:$]/, "werkzeug-pbkdf2"],
  [/^scrypt[:$]/, "werkzeug-scrypt"],
];

/**
 * Names the scheme of a stored hash from its prefix, or null for anything else. It does not
 * validate the rest of the string: a malformed hash of a known scheme still fails to verify.
 *
 * @example
 * identifyHashScheme("$2b$12$..."); // "bcrypt"
 * identifyHashScheme("pbkdf2:sha256:600000$salt$..."); // "werkzeug-pbkdf2"
 */
export function identifyHashScheme(hash: string): HashScheme | null {
  if (typeof hash !== "string") return null;
  for (const [pattern, scheme] of PREFIXES) if (pattern.test(hash)) return scheme;
  return null;
}

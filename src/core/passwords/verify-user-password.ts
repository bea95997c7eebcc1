import type { PasswordHasher } from "./hasher.js";

/** Outcome of {@link verifyUserPassword}: the user on a match, with whether to store a fresh hash. */
export type UserPasswordResult<U> = { ok: true; user: U; needsRehash: boolean } | { ok: false };

/**
 * Checks a login: the user's password against their stored hash, or, for an unknown user
 * (`null`/`undefined`), one dummy verification, so response time does not tell which
 * usernames exist. The same `{ ok: false }` either way.
 *
 * @example
 * const login = await verifyUserPassword(passwords, await store.getUserByUsername(username), password);
 * if (!login.ok) return { ok: false, code: "credentials_invalid" };
 * if (login.needsRehash) await store.setPasswordHash(login.user.id, await passwords.hash(password));
 */
export async function verifyUserPassword<U extends { readonly passwordHash: string }>(
  hasher: PasswordHasher,
  user: U | null | undefined,
  password: string,
): Promise<UserPasswordResult<U>> {
  // Both branches cost one verification: skipping the hash for unknown users is the leak.
  if (user === null || user === undefined) return hasher.verifyDummy(password);
  const verdict = await hasher.verify(user.passwordHash, password);
  return verdict.ok ? { ok: true, user, needsRehash: verdict.needsRehash } : { ok: false };
}

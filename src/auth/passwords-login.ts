import type { PasswordHasher } from "../core/passwords/hasher.js";
import { verifyUserPassword } from "../core/passwords/verify-user-password.js";
import { parseScope } from "../core/scopes.js";
import type { Result } from "./types.js";
import { userIdOf, type LoginUser, type UserDirectory } from "./user-directory.js";

/**
 * Checks a username and password against the app's users. An unknown username costs one real
 * hash verification too, so timing does not reveal which usernames exist. A correct password
 * stored under an old scheme (bcrypt, sha-crypt, werkzeug) is re-hashed with argon2id and handed
 * to `users.setPasswordHash`.
 */
export async function checkPassword<U extends LoginUser>(
  hasher: PasswordHasher,
  users: UserDirectory<U>,
  username: string,
  password: string,
): Promise<Result<{ user: U }, "credentials_invalid">> {
  // No stored username holds NUL (and PostgreSQL cannot even compare one): treat it as unknown.
  const user = username.includes("\0") ? null : await users.findForLogin(username);
  const verdict = await verifyUserPassword(hasher, user, password);
  // The reason is for the audit log only: the caller answers both alike.
  if (!verdict.ok) return { ok: false, code: "credentials_invalid", detail: user === null || user === undefined ? "unknown_user" : `wrong_password:${userIdOf(user)}` };
  if (verdict.needsRehash && users.setPasswordHash) {
    const passwordHash = await hasher.hash(password);
    await users.setPasswordHash(userIdOf(verdict.user), passwordHash);
    return { ok: true, user: { ...verdict.user, passwordHash } };
  }
  return { ok: true, user: verdict.user };
}

/** Checks the scope a client asks for against what the user may hold; nothing asked means all of it. */
export function grantScope(allowed: readonly string[], requested: string | null | undefined): Result<{ scope: string }, "validation_failed"> {
  if (requested === undefined || requested === null || requested.trim() === "") return { ok: true, scope: allowed.join(" ") };
  const parsed = parseScope(requested);
  if (!parsed.ok) return { ok: false, code: "validation_failed", detail: "scope is not a valid scope string" };
  const unknown = parsed.scopes.filter((scope) => !allowed.includes(scope));
  if (unknown.length > 0) return { ok: false, code: "validation_failed", detail: `scope not allowed: ${unknown.join(" ")}` };
  return { ok: true, scope: parsed.scopes.join(" ") };
}

/** The least a user must have for Tessera to log them in: an id and a password hash (PHC, bcrypt, sha-crypt, werkzeug). */
export interface LoginUser {
  readonly id: string | number;
  readonly passwordHash: string;
}

/**
 * How Tessera reaches the app's users: the app keeps its table, Tessera only looks up and,
 * after a login with an outdated hash (bcrypt, ...), hands back a fresh argon2id hash to store.
 *
 * @example
 * const users: UserDirectory<User> = {
 *   findForLogin: (username) => db.prepare("select * from users where username = ?").get(username),
 *   setPasswordHash: (id, hash) => void db.prepare("update users set password_hash = ? where id = ?").run(hash, id),
 * };
 */
export interface UserDirectory<U extends LoginUser = LoginUser> {
  /** The user who logs in with this name (case rules are the app's), or null/undefined. */
  findForLogin(username: string): Promise<U | null | undefined> | U | null | undefined;
  /** The user with this id, for re-authentication (a password asked again before a sensitive action). */
  byId?(id: string): Promise<U | null | undefined> | U | null | undefined;
  /** Stores a re-hashed password after a successful login; without it, old hashes stay. */
  setPasswordHash?(id: string, passwordHash: string): Promise<void> | void;
}

/** The opaque string form of an app's user id. */
export function userIdOf(user: LoginUser | string | number): string {
  return typeof user === "object" ? String(user.id) : String(user);
}

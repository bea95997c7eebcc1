/**
 * A user of the reference server. `passwordHash` is a PHC string (argon2id) or an imported
 * legacy hash. The server owns its users; the token store knows them only as `String(id)`.
 *
 * @example
 * const user: UserRecord | null = await data.users.getUserById(1);
 */
export interface UserRecord {
  id: number;
  username: string;
  email: string | null;
  aboutMe: string | null;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: number;
  lastSeenAt: number | null;
}

/**
 * What `createUser` takes.
 *
 * @example
 * const input: NewUser = { username: "ada", passwordHash, now: Date.now() };
 */
export interface NewUser {
  username: string;
  passwordHash: string;
  email?: string | null;
  aboutMe?: string | null;
  isAdmin?: boolean;
  now: number;
}

/**
 * The fields `updateUser` may change; absent fields stay as they are.
 *
 * @example
 * await data.users.updateUser(1, { email: null } satisfies UserPatch);
 */
export interface UserPatch {
  username?: string;
  email?: string | null;
  aboutMe?: string | null;
}

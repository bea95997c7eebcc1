import type { UserRecord } from "./store/index.js";

/** Every scope the reference server knows. */
export const SERVER_SCOPES: readonly string[] = ["users:read", "users:write", "posts:read", "posts:write", "tokens:introspect"];

/** An ordinary user's full scope: introspection belongs to resource servers, not users. */
const USER_SCOPES: readonly string[] = SERVER_SCOPES.filter((scope) => scope !== "tokens:introspect");

/**
 * The scope a user may hold; a login gets all of it unless it asks for less. An admin's includes
 * `tokens:introspect` (docs/http-api.md, sessions and personal access tokens).
 */
export function scopesOf(user: Pick<UserRecord, "isAdmin">): readonly string[] {
  return user.isAdmin ? SERVER_SCOPES : USER_SCOPES;
}

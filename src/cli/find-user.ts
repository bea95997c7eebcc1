import type { UserRecord, UserStore } from "../server/store/index.js";

/** Outcome of {@link findUser}; `message` is ready to print. */
export type FindUserResult = { ok: true; user: UserRecord } | { ok: false; message: string };

/** How the commands' help describes a user reference. */
export const USER_REFERENCE_HELP = "USER is a username (any case), a numeric id, or id:N / name:NAME to say which";

/**
 * Finds a user by a reference: a username (case-insensitive), a numeric id, or an explicit
 * `id:N` or `name:NAME` (usernames never contain a colon). A bare reference that is the
 * username of one user and the id of another is refused rather than guessed, because the
 * commands that take it delete users and revoke their tokens.
 *
 * @example
 * const found = await findUser(store.users, "ada");
 * if (!found.ok) return fail(io, found.message);
 */
export async function findUser(store: Pick<UserStore, "getUserById" | "getUserByUsername">, reference: string): Promise<FindUserResult> {
  const notFound: FindUserResult = { ok: false, message: `no user "${reference}"` };
  if (reference.startsWith("name:")) {
    const user = await store.getUserByUsername(reference.slice("name:".length));
    return user ? { ok: true, user } : notFound;
  }
  const explicitId = reference.startsWith("id:");
  const idText = explicitId ? reference.slice("id:".length) : reference;
  const id = /^[0-9]{1,15}$/.test(idText) ? Number(idText) : null;
  if (explicitId && id === null) return notFound;
  const byId = id === null ? null : await store.getUserById(id);
  if (explicitId) return byId ? { ok: true, user: byId } : notFound;
  const byName = await store.getUserByUsername(reference);
  if (byName && byId && byName.id !== byId.id) {
    return {
      ok: false,
      message: `"${reference}" is the username of user ${byName.id} and the id of user "${byId.username}"; write name:${reference} or id:${reference}`,
    };
  }
  const user = byName ?? byId;
  return user ? { ok: true, user } : notFound;
}

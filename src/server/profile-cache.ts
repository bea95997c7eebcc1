import { BackendUnavailableError } from "../core/errors.js";
import type { PostStore, UserRecord, UserStore } from "./store/index.js";


export interface Profile {
  user: UserRecord;
  postCount: number;
}

/** How long `GET /api/me` may reuse a profile read from the store. */
export const PROFILE_TTL_MS = 1_000;
/**
 * While the database does not answer, how old a profile (or user) `GET /api/me` and
 * introspection may still serve. Only this instance's own reads are reused, and every write
 * made through it invalidates them, so what is served is what the database said at most this
 * long ago.
 */
export const PROFILE_STALE_IF_ERROR_MS = 5 * 60_000;
const MAX_PROFILES = 10_000;

/**
 * A one-second cache of (user, post count) for `GET /api/me`, the route every client calls,
 * kept for {@link PROFILE_STALE_IF_ERROR_MS} as a fallback while the database is down. Writes
 * made through this instance invalidate it at once (the stores are wrapped below); a write made
 * by another instance shows within {@link PROFILE_TTL_MS}. Authentication never uses it:
 * revocation is checked on every request regardless.
 */
export class ProfileCache {
  private readonly entries = new Map<number, { profile: Profile; loadedAt: number }>();
  /** Users read by id, for introspection's fallback. */
  private readonly users = new Map<number, { user: UserRecord; loadedAt: number }>();

  constructor(
    private readonly userStore: UserStore,
    private readonly posts: PostStore,
    private readonly now: () => number,
    /** True while the database is known to be down: a usable stale entry is served without waiting for it. */
    private readonly databaseDown: () => boolean = () => false,
  ) {}

  async load(userId: number): Promise<Profile | null> {
    const now = this.now();
    const cached = this.entries.get(userId);
    if (cached && now - cached.loadedAt < PROFILE_TTL_MS) return cached.profile;
    if (cached && now - cached.loadedAt < PROFILE_STALE_IF_ERROR_MS && this.databaseDown()) return cached.profile;
    try {
      const user = await this.userStore.getUserById(userId);
      if (!user) {
        this.invalidate(userId);
        return null;
      }
      const profile = { user, postCount: await this.posts.countPostsByUser(userId) };
      remember(this.entries, userId, { profile, loadedAt: now });
      remember(this.users, userId, { user, loadedAt: now });
      return profile;
    } catch (error) {
      if (isDatabaseOutage(error) && cached && now - cached.loadedAt < PROFILE_STALE_IF_ERROR_MS) return cached.profile;
      throw error;
    }
  }

  /**
   * The user, from the store; while the database does not answer, as this instance last read it
   * (within {@link PROFILE_STALE_IF_ERROR_MS}), or `undefined` when it has not.
   */
  async loadUser(userId: number): Promise<UserRecord | null | undefined> {
    const now = this.now();
    try {
      const user = await this.userStore.getUserById(userId);
      if (user) remember(this.users, userId, { user, loadedAt: now });
      else this.invalidate(userId);
      return user;
    } catch (error) {
      if (!isDatabaseOutage(error)) throw error;
      const known = this.users.get(userId) ?? this.entries.get(userId)?.profile;
      const loadedAt = this.users.get(userId)?.loadedAt ?? this.entries.get(userId)?.loadedAt ?? 0;
      return known !== undefined && now - loadedAt < PROFILE_STALE_IF_ERROR_MS ? known.user : undefined;
    }
  }

  invalidate(userId?: number): void {
    if (userId === undefined) {
      this.entries.clear();
      this.users.clear();
    } else {
      this.entries.delete(userId);
      this.users.delete(userId);
    }
  }

  /** The user store, invalidating a profile whenever a user is written. */
  wrapUsers(store: UserStore): UserStore {
    const invalidating = <A extends unknown[], R>(write: (id: number, ...rest: A) => Promise<R>) =>
      async (id: number, ...rest: A): Promise<R> => {
        try {
          return await write(id, ...rest);
        } finally {
          this.invalidate(id);
        }
      };
    return {
      ...store,
      updateUser: invalidating(store.updateUser.bind(store)),
      setPasswordHash: invalidating(store.setPasswordHash.bind(store)),
      deleteUser: invalidating(store.deleteUser.bind(store)),
    };
  }

  /** The post store, invalidating the author's profile (post count) on every create or delete. */
  wrapPosts(store: PostStore): PostStore {
    return {
      ...store,
      createPost: async (post: Parameters<PostStore["createPost"]>[0]) => {
        try {
          return await store.createPost(post);
        } finally {
          this.invalidate(post.userId);
        }
      },
      deletePost: async (id: number) => {
        try {
          return await store.deletePost(id);
        } finally {
          // The author is not known here; a delete is rare enough to drop every profile.
          this.invalidate();
        }
      },
    };
  }
}

/** Bounded: past the cap the memory is dropped (worst case: one extra read each). */
function remember<V>(map: Map<number, V>, key: number, value: V): void {
  if (map.size >= MAX_PROFILES && !map.has(key)) map.clear();
  map.set(key, value);
}

function isDatabaseOutage(error: unknown): boolean {
  return error instanceof BackendUnavailableError && error.backend === "database";
}

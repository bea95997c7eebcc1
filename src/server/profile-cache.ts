import type { PostStore, UserRecord, UserStore } from "./store/index.js";


export interface Profile {
  user: UserRecord;
  postCount: number;
}

/** How long `GET /api/me` may reuse a profile read from the store. */
export const PROFILE_TTL_MS = 1_000;
const MAX_PROFILES = 10_000;

/**
 * A one-second cache of (user, post count) for `GET /api/me`, the route every client calls.
 * Writes made through this instance invalidate it at once (the stores are wrapped below); a
 * write made by another instance shows within {@link PROFILE_TTL_MS}. Authentication never
 * uses it: revocation is checked on every request regardless.
 */
export class ProfileCache {
  private readonly entries = new Map<number, { profile: Profile; loadedAt: number }>();

  constructor(
    private readonly users: UserStore,
    private readonly posts: PostStore,
    private readonly now: () => number,
  ) {}

  async load(userId: number): Promise<Profile | null> {
    const now = this.now();
    const cached = this.entries.get(userId);
    if (cached && now - cached.loadedAt < PROFILE_TTL_MS) return cached.profile;
    const user = await this.users.getUserById(userId);
    if (!user) {
      this.entries.delete(userId);
      return null;
    }
    const profile = { user, postCount: await this.posts.countPostsByUser(userId) };
    if (this.entries.size >= MAX_PROFILES) this.entries.clear();
    this.entries.set(userId, { profile, loadedAt: now });
    return profile;
  }

  invalidate(userId?: number): void {
    if (userId === undefined) this.entries.clear();
    else this.entries.delete(userId);
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

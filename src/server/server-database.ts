import { sealTokenStore } from "../auth/sealed-token-store.js";
import { createSecretsCipher, type SecretsCipher } from "../core/secrets-cipher.js";
import type { TokenStore } from "../core/token-store.js";
import { openTokenStore, type SqlTokenStore, type TokenStoreOptions } from "../stores/index.js";
import { createServerStore, type PostStore, type UserStore } from "./store/index.js";

/** The reference server's database: Tessera's token tables and the server's own users and posts, on one connection. */
export interface ServerDatabase {
  tokens: SqlTokenStore;
  /** The token store Tessera uses: `tokens`, sealing private keys and secrets when `TESSERA_SECRETS_KEY` is set. */
  sealed: TokenStore;
  /** The cipher of `TESSERA_SECRETS_KEY`, or null without one. */
  cipher: SecretsCipher | null;
  users: UserStore;
  posts: PostStore;
  /**
   * Applies pending migrations, Tessera's first: a 0.1.0 database has its token rows copied into
   * Tessera's tables before the server's own migration drops the old ones. Returns the names applied.
   */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Opens `sqlite:PATH`, `sqlite::memory:` or `postgres://...` for the server and the CLI.
 *
 * @example
 * const database = await openServerDatabase("sqlite:./data/tessera.db");
 * await database.migrate();
 */
export async function openServerDatabase(url: string, options: TokenStoreOptions & { secretsKeys?: readonly string[] } = {}): Promise<ServerDatabase> {
  const { secretsKeys = [], ...storeOptions } = options;
  const cipher = secretsKeys.length === 0 ? null : createSecretsCipher(secretsKeys);
  const tokens = await openTokenStore(url, storeOptions);
  // The users and posts share the token store's pool, and its time budget per call.
  const budgetMs = tokens.dialect === "postgres" ? (storeOptions.connectionTimeoutMs ?? 5000) : undefined;
  const data = createServerStore(tokens.db, tokens.dialect, { budgetMs });
  return {
    tokens,
    sealed: cipher === null ? tokens : sealTokenStore(tokens, cipher),
    cipher,
    users: data.users,
    posts: data.posts,
    async migrate() {
      const applied = await tokens.migrate();
      return [...applied, ...(await data.migrate())];
    },
    close: () => tokens.close(),
  };
}

import type { Kysely } from "kysely";
import { guardBackendErrors } from "../../stores/sql/backend-errors.js";
import { sqlDialectByName } from "../../stores/sql/dialect-by-name.js";
import type { SqlDialectName } from "../../stores/sql/dialect.js";
import { withoutTablePrefix } from "../../stores/sql/token-store/table-prefix-plugin.js";
import { migrateServerStore } from "./migrate-server-store.js";
import { createSqlPostStore, type PostStore } from "./post-store.js";
import type { ServerDatabase } from "./server-tables.js";
import { createSqlUserStore, type UserStore } from "./user-store.js";

/**
 * The reference server's own data, beside the token store on the same connection.
 *
 * @example
 * const data: ServerStore = createServerStore(tokens.db, tokens.dialect);
 */
export interface ServerStore {
  users: UserStore;
  posts: PostStore;
  /**
   * Creates or updates `users` and `posts` (and, in a Tessera 0.1.0 database, drops the old
   * token tables); returns the names applied. Call it AFTER the token store's `migrate()`:
   * that one copies the 0.1.0 token rows this one drops, and this one refuses to run first.
   */
  migrate(): Promise<string[]>;
}

/**
 * Options of {@link createServerStore}.
 *
 * @example
 * createServerStore(pool, "postgres", { schema: "app" } satisfies ServerStoreOptions);
 */
export interface ServerStoreOptions {
  /**
   * PostgreSQL: the schema of the tables, the token store's `schema` (option or `?schema=`).
   * Default: the connection's `current_schema()`, which exists only once something created it
   * (the token store's `migrate()` does): pass it to migrate the server store first.
   */
  schema?: string | undefined;
  /** The longest each store call waits for the database, in total (PostgreSQL pools opened by `openTokenStore`). Default: no budget. */
  budgetMs?: number | undefined;
}

/**
 * The server's users and posts over a Kysely connection, typically the token store's
 * (`store.db`): its table prefix applies only to token tables and is taken off here, so
 * `sessions` in this store's queries is always the physical table of that name. Errors meaning
 * "the database did not answer" surface as `BackendUnavailableError`. Closing the connection is
 * its owner's business.
 *
 * @example
 * const tokens = await openTokenStore(url);
 * const data = createServerStore(tokens.db, tokens.dialect);
 * await tokens.migrate();
 * await data.migrate();
 */
export function createServerStore(
  // Any Kysely over the database: the token store's, or the app's own.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  dialectName: SqlDialectName,
  options: ServerStoreOptions = {},
): ServerStore {
  const context = {
    db: withoutTablePrefix(db) as Kysely<ServerDatabase>,
    dialect: sqlDialectByName(dialectName, options.schema),
    schema: dialectName === "postgres" ? options.schema : undefined,
  };
  const guard = <T extends object>(target: T): T => guardBackendErrors(target, context.dialect.isUnavailable, { budgetMs: options.budgetMs });
  return {
    users: guard(createSqlUserStore(context)),
    posts: guard(createSqlPostStore(context)),
    ...guard({ migrate: () => migrateServerStore(context) }),
  };
}

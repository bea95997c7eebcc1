import { sql } from "kysely";
import type { AuthStore } from "../../core/store.js";
import type { SqlContext } from "./dialect.js";
import { createPersonalAccessTokenQueries } from "./personal-access-tokens.js";
import { createRevocationQueries } from "./revocations.js";
import { createSecretQueries } from "./secrets.js";
import { createSessionQueries } from "./sessions.js";
import { createSigningKeyQueries } from "./signing-keys.js";
import { createUserQueries } from "./users.js";

/**
 * The AuthStore over one Kysely instance, the same code for SQLite and PostgreSQL.
 * Errors are raw driver errors here; `openSqlStore` wraps the result so outages
 * surface as `BackendUnavailableError`.
 *
 * @example
 * const auth = createSqlAuthStore({ db, dialect }, { close: () => db.destroy() });
 */
export function createSqlAuthStore(context: SqlContext, lifecycle: { close(): Promise<void> }): AuthStore {
  return {
    ...createUserQueries(context),
    ...createSessionQueries(context),
    ...createPersonalAccessTokenQueries(context),
    ...createSigningKeyQueries(context),
    ...createRevocationQueries(context),
    ...createSecretQueries(context),
    async ping() {
      await sql`select 1`.execute(context.db);
    },
    close: () => lifecycle.close(),
  };
}

/**
 * Tessera's stores: SQLite and PostgreSQL through one Kysely code path.
 *
 * @example
 * import { openSqlStore } from "tessera-auth/stores";
 * const store = await openSqlStore(process.env.TESSERA_DATABASE_URL ?? "sqlite:./data/tessera.db");
 * await store.migrate();
 */
export { openSqlStore, type SqlStore, type SqlStoreOptions } from "./sql/open.js";
export type { PostStore, PostRecord, NewPost, PostPatch } from "./sql/post-store.js";
export type { Database } from "./sql/database.js";
export type { SqlDialectName } from "./sql/dialect.js";
export { parseDatabaseUrl, type DatabaseLocation } from "./sql/url.js";

/**
 * tessera-auth/stores: Tessera's token store on SQLite or PostgreSQL, through one Kysely code path,
 * in the app's own database (a URL, or the app's better-sqlite3 Database, pg Pool or Kysely).
 *
 * @example
 * import { openTokenStore } from "tessera-auth/stores";
 * const store = await openTokenStore(process.env.TESSERA_DATABASE_URL ?? "sqlite:./data/tessera.db");
 * await store.migrate();
 */
export type { SqlDialectName } from "./sql/dialect.js";
export { parseDatabaseUrl, type DatabaseLocation } from "./sql/url.js";
export { openTokenStore, type TokenStoreOptions } from "./sql/token-store/open-token-store.js";
export type { SqlTokenStore } from "./sql/token-store/create-sql-token-store.js";
export type { TokenStoreSource } from "./sql/token-store/token-store-source.js";
export { DEFAULT_TABLE_PREFIX } from "./sql/token-store/table-prefix.js";
export { rekeyStoredSecrets, type RekeyResult } from "./sql/token-store/rekey-secrets.js";
export type {
  TokenDatabase,
  TokenSessionsTable,
  TokenRefreshTokensTable,
  StoredTokensTable,
  TokenSigningKeysTable,
  TokenRevocationsTable,
  TokenSecretsTable,
  TokenClientsTable,
  TokenClientSecretsTable,
  TokenAuditEventsTable,
  TokenAuditChainTable,
  IntegerColumn,
  NullableIntegerColumn,
  IdentityColumn,
} from "./sql/token-store/token-tables.js";

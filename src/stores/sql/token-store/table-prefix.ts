import { ConfigError } from "../../../core/errors.js";
import type { TokenDatabase } from "./token-tables.js";

/**
 * The prefix of every table, index and constraint the token store creates, unless told otherwise.
 *
 * @example
 * const store = await openTokenStore(url); // tables tessera_sessions, tessera_tokens, ...
 */
export const DEFAULT_TABLE_PREFIX = "tessera_";

/** The store's logical table names; only these are renamed by the prefix. */
export const TOKEN_TABLES: readonly (keyof TokenDatabase)[] = [
  "sessions",
  "refresh_tokens",
  "tokens",
  "signing_keys",
  "revocations",
  "secrets",
  "clients",
  "client_secrets",
  "audit_events",
  "audit_chain",
];

const PREFIX_SYNTAX = /^[a-z_][a-z0-9_]*$/;
// PostgreSQL truncates identifiers past 63 bytes; the longest name built on the prefix is
// `${prefix}refresh_tokens_session_id_fkey` (30 characters).
const MAX_PREFIX_LENGTH = 32;

/**
 * Checks a table prefix: lower-case letters, digits and `_`, not starting with a digit, at most
 * 32 characters (so every derived name stays within PostgreSQL's 63). Throws `ConfigError`.
 *
 * @example
 * checkTablePrefix("auth_"); // "auth_"
 */
export function checkTablePrefix(prefix: string): string {
  if (!PREFIX_SYNTAX.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
    throw new ConfigError("prefix", "must match ^[a-z_][a-z0-9_]*$ and be at most 32 characters");
  }
  return prefix;
}

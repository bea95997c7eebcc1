import { ConfigError } from "../../core/errors.js";

/**
 * Where a database URL points, once parsed.
 *
 * @example
 * const location: DatabaseLocation = parseDatabaseUrl("sqlite::memory:");
 */
export type DatabaseLocation =
  | { kind: "sqlite"; filename: string }
  | { kind: "postgres"; connectionString: string; schema: string | undefined };

const VARIABLE = "TESSERA_DATABASE_URL";
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Checks a PostgreSQL schema name: 1-63 letters, digits or `_`, not starting with a digit.
 * Throws `ConfigError`.
 *
 * @example
 * checkSchemaName("tenant_a"); // "tenant_a"
 */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(VARIABLE, "schema must be 1-63 letters, digits or underscores, not starting with a digit");
  }
  return schema;
}

function parsePostgresUrl(url: string, schemaOption: string | undefined): DatabaseLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the URL: it may carry a password.
    throw new ConfigError(VARIABLE, "not a valid postgres:// URL");
  }
  const schemaParam = parsed.searchParams.get("schema");
  // `schema` is ours, not libpq's: take it off before pg sees the URL.
  parsed.searchParams.delete("schema");
  const schema = schemaOption ?? (schemaParam === null || schemaParam === "" ? undefined : schemaParam);
  return {
    kind: "postgres",
    connectionString: parsed.toString(),
    schema: schema === undefined ? undefined : checkSchemaName(schema),
  };
}

/**
 * Parses `sqlite:PATH`, `sqlite::memory:`, `postgres://...` and `postgresql://...`
 * (with an optional `?schema=NAME`, which `schemaOption` overrides).
 *
 * @example
 * parseDatabaseUrl("sqlite:./data/tessera.db"); // { kind: "sqlite", filename: "./data/tessera.db" }
 */
export function parseDatabaseUrl(url: string, schemaOption?: string): DatabaseLocation {
  if (url.startsWith("sqlite:")) {
    const filename = url.slice("sqlite:".length);
    if (filename === "") throw new ConfigError(VARIABLE, "sqlite: needs a file path or :memory:");
    return { kind: "sqlite", filename };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return parsePostgresUrl(url, schemaOption);
  throw new ConfigError(VARIABLE, "expected sqlite:PATH, sqlite::memory: or postgres://...");
}

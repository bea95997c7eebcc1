import { CompiledQuery, Kysely, sql } from "kysely";
import { RaceFreePostgresDialect } from "./postgres-introspector.js";
import { readErrorCode, type SqlDialect, type SqlContext } from "./dialect.js";

export interface PostgresOpenOptions {
  connectionString: string;
  /** Every pooled connection gets `search_path` set to it; created by the first migration run. */
  schema: string | undefined;
  poolSize: number;
  /** How long to wait for a connection (new or from the pool) before giving up. */
  connectionTimeoutMs: number;
}

const INT8_OID = 20;

// BIGINT columns hold epoch milliseconds and COUNT(*) results; pg hands int8 back as a
// string because it may exceed 2^53. Every value we store fits, so this is the one
// place that turns them into numbers, and it refuses to round silently.
function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError("a BIGINT value is outside the safe integer range");
  return parsed;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

// SQLSTATE classes 08 (connection exception) and 53 (insufficient resources, e.g.
// too many connections), plus the server shutting down or starting up.
const SERVER_UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03"]);

function isPostgresUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError && error.errors.some(isPostgresUnavailable)) return true;
  const code = readErrorCode(error);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code) || SERVER_UNAVAILABLE_STATES.has(code)) return true;
    if (/^(08|53)[0-9A-Z]{3}$/.test(code)) return true;
  }
  const message = error instanceof Error ? error.message : "";
  // pg-pool's connectionTimeoutMillis and a dropped socket carry no code.
  return /timeout exceeded when trying to connect|connection terminated|query read timeout/i.test(message);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * PostgreSQL's differences. `schema` is where migrations put their tables; without it, the
 * connection's `current_schema()`.
 *
 * @example
 * const dialect = createPostgresDialect("tenant_a");
 */
export function createPostgresDialect(schema: string | undefined): SqlDialect {
  return {
    name: "postgres",
    identity: (column) => column.generatedByDefaultAsIdentity(),
    isUniqueViolation: (error) => readErrorCode(error) === "23505",
    isUnavailable: isPostgresUnavailable,
    resolveMigrationSchema: async (db) => {
      if (schema !== undefined) return schema;
      const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
      return result.rows[0]?.schema ?? "public";
    },
  };
}

/**
 * Creates a pg Pool (the driver is loaded only now) behind Kysely. Connections are
 * opened lazily, so this does not fail when the server is down; queries do.
 */
export async function openPostgresDatabase(options: PostgresOpenOptions): Promise<SqlContext> {
  const { default: pg } = await import("pg");
  const getTypeParser: typeof pg.types.getTypeParser = (oid, format) =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    // A server that keeps the socket open but stops answering must not hang a request.
    query_timeout: options.connectionTimeoutMs,
    types: { getTypeParser },
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that
  // would crash the process. The next query fails and is reported as unavailable.
  pool.on("error", () => undefined);
  // pg-pool removes its listener while a client is checked out; a connection dropped mid-query
  // would then emit an unhandled 'error' and end the process. The query itself still fails.
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  const schema = options.schema;
  const setSearchPath =
    schema === undefined ? undefined : CompiledQuery.raw(`set search_path to ${quoteIdentifier(schema)}`);
  const db = new Kysely<Record<string, never>>({
    dialect: new RaceFreePostgresDialect({
      pool,
      ...(setSearchPath === undefined
        ? {}
        : {
            onCreateConnection: async (connection) => {
              await connection.executeQuery(setSearchPath);
            },
          }),
    }),
  });
  return { db, dialect: createPostgresDialect(schema) };
}

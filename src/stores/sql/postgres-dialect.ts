import { Kysely, sql, type PostgresPool, type PostgresPoolClient } from "kysely";
import type { Pool, PoolClient } from "pg";
import { DeadlineExceededError, remainingBudgetMs } from "./database-deadline.js";
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
  // pg-pool's connectionTimeoutMillis, a dropped socket, and a client whose connection failed
  // (or was dropped on a timeout) carry no code.
  return /timeout exceeded when trying to connect|connection terminated|query read timeout|is not queryable|connection error|cannot use a pool after calling end|client has already been connected/i.test(message);
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
  const setSearchPath = schema === undefined ? undefined : `set search_path to ${quoteIdentifier(schema)}`;
  const db = new Kysely<Record<string, never>>({
    dialect: new RaceFreePostgresDialect({ pool: budgetedPool(pool, setSearchPath) }),
  });
  return { db, dialect: createPostgresDialect(schema) };
}

/**
 * The pool as Kysely sees it, with every wait inside a store operation bounded by what is left
 * of that operation's budget (database-deadline.ts): acquiring a connection, and each query.
 * A query that outlives the budget has its connection destroyed, not returned to the pool: the
 * server then aborts whatever transaction it held (nothing half-written commits later), and the
 * pool opens a fresh connection for the next request instead of queueing behind a hung one.
 */
function budgetedPool(pool: Pool, setUp: string | undefined): PostgresPool {
  // One wrapper per pg client: Kysely recognises a connection it has set up by identity.
  const wrappers = new WeakMap<PoolClient, PostgresPoolClient>();
  const wrap = async (client: PoolClient): Promise<PostgresPoolClient> => {
    let wrapper = wrappers.get(client);
    if (wrapper === undefined) {
      wrapper = budgetedClient(client);
      // A new connection gets its search_path here rather than in Kysely's onCreateConnection:
      // when that query fails (or outlives the budget), the connection must go back to the
      // pool, destroyed, and Kysely would keep it checked out forever.
      if (setUp !== undefined) {
        try {
          await wrapper.query(setUp, []);
        } catch (error) {
          wrapper.release(true);
          throw error;
        }
      }
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    async connect() {
      const budget = remainingBudgetMs();
      if (budget === undefined) return wrap(await pool.connect());
      const acquiring = pool.connect();
      const client = await raceBudget(acquiring, budget, () => {
        // Handed over after we gave up: straight back to the pool.
        acquiring.then((late) => late.release(), () => undefined);
      });
      return wrap(client);
    },
    end: () => pool.end(),
  };
}

function budgetedClient(client: PoolClient): PostgresPoolClient {
  let dropped = false;
  const wrapper = {
    query(text: string, parameters: ReadonlyArray<unknown>) {
      const budget = remainingBudgetMs();
      const running = client.query(text, [...parameters]);
      if (budget === undefined) return running;
      return raceBudget(running, budget, () => {
        dropped = true;
        running.catch(() => undefined);
        // The socket goes, so the query (and its transaction) dies on the server too.
        (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      });
    },
    release(destroy?: boolean) {
      client.release(destroy === true || dropped ? true : undefined);
    },
  };
  return wrapper as unknown as PostgresPoolClient;
}

function raceBudget<T>(work: Promise<T>, budgetMs: number, onExpired: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onExpired();
      reject(new DeadlineExceededError(budgetMs));
    }, budgetMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

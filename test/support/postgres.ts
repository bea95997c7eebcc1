// Shared PostgreSQL plumbing for tests: where the test server is, whether it answers,
// and a fresh schema per run so parallel runs never see each other's rows.
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import pg from "pg";

/** The default test database: the machine's local PostgreSQL with trust auth. */
export const DEFAULT_TEST_PG_URL = "postgres://postgres@127.0.0.1:5432/test";

/** `TESSERA_TEST_PG_URL`, or the local default. */
export function readTestPostgresUrl(): string {
  return process.env.TESSERA_TEST_PG_URL ?? DEFAULT_TEST_PG_URL;
}

/** The URL with any password masked, fit for a test message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Whether a server answers `select 1` at `url`. */
export async function isPostgresReachable(url: string): Promise<boolean> {
  try {
    await withClient(url, (client) => client.query("select 1"));
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves to the test database URL when PostgreSQL answers. Otherwise registers a
 * test that explains why and resolves to null: that test FAILS when CI=true (CI must
 * not silently skip a backend) and is skipped elsewhere.
 *
 * @example
 * const pgUrl = await requireTestPostgres();
 * if (pgUrl !== null) runAuthStoreContract("postgres", () => makePostgresStore(pgUrl));
 */
export async function requireTestPostgres(): Promise<string | null> {
  const url = readTestPostgresUrl();
  if (await isPostgresReachable(url)) return url;
  const message = `PostgreSQL not reachable at ${redactUrl(url)}: set TESSERA_TEST_PG_URL`;
  if (process.env.CI === "true") {
    void test("PostgreSQL is reachable", () => {
      throw new Error(message);
    });
  } else {
    void test("PostgreSQL tests", { skip: message }, () => undefined);
  }
  return null;
}

/** A schema name no other run will pick. */
export function createTestSchemaName(): string {
  return `tessera_test_${randomBytes(6).toString("hex")}`;
}

/**
 * Drops a test schema and everything in it. Cleanup runs while other test files create and drop
 * their own schemas on the same server, so a transient failure (deadlock, lock or connect
 * timeout) is retried a few times before it fails the suite, with the schema named.
 */
export async function dropTestSchema(url: string, schema: string): Promise<void> {
  if (!/^tessera_test_[0-9a-f]+$/.test(schema)) throw new Error("refusing to drop a schema tests did not create");
  for (let attempt = 1; ; attempt++) {
    try {
      await withClient(url, (client) => client.query(`drop schema if exists "${schema}" cascade`));
      return;
    } catch (error) {
      if (attempt >= 3) throw new Error(`dropping test schema ${schema} failed ${attempt} times`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/** Lists the tables of `schema`. */
export async function listSchemaTables(url: string, schema: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 order by table_name",
      [schema],
    );
    return result.rows.map((row) => row.table_name);
  });
}

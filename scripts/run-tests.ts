// Runs every test file under test/ with node's test runner (Node 20 has no --test globs).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = findTests("test")
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
function runNodeTests(testFiles: string[], env: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...testFiles],
    { stdio: "inherit", env },
  );
  return result.status ?? 1;
}

// Second pass: the HTTP contract suites again, on PostgreSQL, so both stores serve the whole
// contract. Skipped (with a message) when PostgreSQL is not reachable outside CI.
const serverFiles = files.filter((file) => /test[\\/]server[\\/](tokens|oauth|users|posts|me|rate-limits|concurrency)\.test\.ts$/.test(file));
const postgresPass = async (): Promise<number> => {
  if (serverFiles.length === 0 || process.env["TESSERA_SKIP_POSTGRES_PASS"] === "1") return 0;
  const { isPostgresReachable, readTestPostgresUrl, redactUrl } = await import("../test/support/postgres.js");
  const url = readTestPostgresUrl();
  if (!(await isPostgresReachable(url))) {
    if (process.env["CI"] === "true") {
      console.error(`PostgreSQL not reachable at ${redactUrl(url)}: the server contract pass on PostgreSQL cannot run`);
      return 1;
    }
    console.log(`# skipped: server contract pass on PostgreSQL (not reachable at ${redactUrl(url)}; set TESSERA_TEST_PG_URL)`);
    return 0;
  }
  console.log("# server contract suites on PostgreSQL");
  return runNodeTests(serverFiles, { ...process.env, TESSERA_TEST_SERVER_DATABASE: "postgres" });
};

const postgresStatus = await postgresPass();
const mainStatus = runNodeTests(files);
process.exit(mainStatus !== 0 ? mainStatus : postgresStatus);

// Runs every test file under test/ with node's test runner (Node 20 has no --test globs).
import { spawn } from "node:child_process";
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
interface PassResult {
  name: string;
  status: number;
  /** What the spec reporter printed after "failing tests:", empty when all passed. */
  failures: string;
}

/** Runs the files, streaming the report as it comes, and keeps the failure summary for the end. */
function runNodeTests(name: string, testFiles: string[], env: NodeJS.ProcessEnv = process.env): Promise<PassResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...testFiles],
      { stdio: ["inherit", "pipe", "inherit"], env },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      output += chunk.toString("utf8");
    });
    child.on("close", (code) => {
      const marker = output.lastIndexOf("failing tests:");
      resolve({ name, status: code ?? 1, failures: marker === -1 ? "" : output.slice(marker) });
    });
  });
}

// Second pass: the HTTP contract suites again, on PostgreSQL, so both stores serve the whole
// contract. Skipped (with a message) when PostgreSQL is not reachable outside CI.
const serverFiles = files.filter((file) => /test[\\/]server[\\/](tokens|oauth|users|posts|me|rate-limits|concurrency|console|clients|audit|explain)\.test\.ts$/.test(file));
const postgresPass = async (): Promise<PassResult | null> => {
  if (serverFiles.length === 0 || process.env["TESSERA_SKIP_POSTGRES_PASS"] === "1") return null;
  const { isPostgresReachable, readTestPostgresUrl, redactUrl } = await import("../test/support/postgres.js");
  const url = readTestPostgresUrl();
  if (!(await isPostgresReachable(url))) {
    if (process.env["CI"] === "true") {
      console.error(`PostgreSQL not reachable at ${redactUrl(url)}: the server contract pass on PostgreSQL cannot run`);
      return { name: "server contract suites on PostgreSQL", status: 1, failures: "PostgreSQL not reachable" };
    }
    console.log(`# skipped: server contract pass on PostgreSQL (not reachable at ${redactUrl(url)}; set TESSERA_TEST_PG_URL)`);
    return null;
  }
  console.log("# server contract suites on PostgreSQL");
  return runNodeTests("server contract suites on PostgreSQL", serverFiles, { ...process.env, TESSERA_TEST_SERVER_DATABASE: "postgres" });
};

const results = [await postgresPass(), await runNodeTests("all test files", files)].filter((result) => result !== null);
// The PostgreSQL pass runs first, so its failures would scroll far out of sight (CI shows the
// tail of the output): repeat every pass's failure summary at the very end.
const failed = results.filter((result) => result.status !== 0);
for (const result of failed) {
  console.log(`\n# FAILED: ${result.name} (exit ${result.status})`);
  if (result.failures !== "") console.log(result.failures);
}
process.exit(failed.length === 0 ? 0 : failed[0]!.status);

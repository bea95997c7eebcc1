// `npm run chaos [-- --only NAME[,NAME]] [--quick] [--seed N]`: the fault-injection suite. Each
// scenario starts its own servers on 127.0.0.1 (and its own redis-server on a spare port, and a
// TCP proxy in front of PostgreSQL to cut it), prints its figures, and the run ends with
// `N passed, M failed` (exit 1 when any failed). See docs/reliability.md.
import { isPostgresReachable, readTestPostgresUrl, createTestSchemaName, dropTestSchema } from "../test/support/postgres.js";
import { startPrivateRedis, type PrivateRedis } from "../test/support/redis.js";
import type { ScenarioReport } from "./harness.js";
import { chaosScenarios, type ChaosEnvironment } from "./scenarios/index.js";

function parseArgs(argv: readonly string[]): { only: string[] | null; quick: boolean; seed: number } {
  let only: string[] | null = null;
  let quick = false;
  let seed = Date.now() % 100_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--only") only = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (arg === "--quick") quick = true;
    else if (arg === "--seed") seed = Number(argv[++i]);
    else throw new Error(`unknown argument ${String(arg)}; usage: npm run chaos -- [--only NAME,...] [--quick] [--seed N]`);
  }
  return { only, quick, seed };
}

function print(report: ScenarioReport, seconds: number): void {
  const passed = report.checks.every((check) => check.ok);
  process.stdout.write(`\n${passed ? "PASS" : "FAIL"}  ${report.name}  (${seconds.toFixed(1)} s)\n`);
  for (const [name, value] of Object.entries(report.figures)) process.stdout.write(`      ${name}: ${value}\n`);
  for (const check of report.checks) {
    process.stdout.write(`  ${check.ok ? "ok " : "NOT"} ${check.what}${!check.ok && check.detail ? ` - ${check.detail}` : ""}\n`);
  }
}

const options = parseArgs(process.argv.slice(2));
const pgUrl = readTestPostgresUrl();
const postgres = (await isPostgresReachable(pgUrl)) ? pgUrl : null;
let redis: PrivateRedis | null = null;
try {
  redis = await startPrivateRedis();
} catch {
  redis = null;
}
const schemas: string[] = [];
const environment: ChaosEnvironment = {
  postgresUrl: postgres,
  redis,
  seed: options.seed,
  quick: options.quick,
  newSchema: () => {
    const schema = createTestSchemaName();
    schemas.push(schema);
    return schema;
  },
};
process.stdout.write(`tessera chaos suite, seed ${options.seed}${options.quick ? ", quick" : ""}\n`);
if (postgres === null) process.stdout.write("PostgreSQL is not reachable (TESSERA_TEST_PG_URL): its scenarios fail\n");
if (redis === null) process.stdout.write("redis-server could not be started: the Redis scenarios fail\n");

let passed = 0;
let failed = 0;
try {
  for (const scenario of chaosScenarios) {
    if (options.only !== null && !options.only.includes(scenario.name)) continue;
    const started = Date.now();
    let report: ScenarioReport;
    try {
      report = await scenario.run(environment);
    } catch (error) {
      report = { name: scenario.name, figures: {}, checks: [{ what: "the scenario ran", ok: false, detail: error instanceof Error ? error.message : String(error) }] };
    }
    print(report, (Date.now() - started) / 1000);
    if (report.checks.every((check) => check.ok)) passed += 1;
    else failed += 1;
  }
} finally {
  await redis?.stop();
  if (postgres !== null) for (const schema of schemas) await dropTestSchema(postgres, schema).catch(() => undefined);
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;

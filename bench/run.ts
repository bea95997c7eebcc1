// `npm run bench [-- --quick]`: runs the in-process verifier benchmark, every registered HTTP
// scenario (interleaved in rounds) and the capacity figures, prints the tables, writes
// bench/results/<timestamp>.json and .svg (ratio chart) and regenerates docs/benchmarks.md.
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { VerifyCaseOutput, VerifyJob } from "./inprocess/verify.js";
import { verifierCases } from "./inprocess/verifiers.js";
import { runCapacity, estimateCapacitySeconds } from "./lib/capacity.js";
import { renderRatioChart } from "./lib/chart.js";
import { startBackgroundLoad, startLoadGenerator, type LoadGenerator } from "./lib/load.js";
import { collectMachineInfo, readPackageVersions } from "./lib/machine.js";
import { parseBenchOptions, USAGE, type BenchOptions } from "./lib/options.js";
import { planCores, readProcessCpuSeconds, REPO_ROOT, spawnPinned, type CorePlan } from "./lib/processes.js";
import { DOCS_CHART, formatConsoleReport, renderBenchmarksMarkdown, verifierRowName } from "./lib/report.js";
import { describeBadResponses, summarizeRuns } from "./lib/stats.js";
import { createPeerSecret, mintPeerToken } from "./lib/tokens.js";
import type {
  BackgroundLoad,
  BackgroundResult,
  BenchResults,
  CapacityResult,
  HttpScenario,
  RequestSpec,
  RunResult,
  ScenarioContext,
  ScenarioResult,
  StartedTarget,
} from "./lib/types.js";
import { httpScenarios } from "./scenarios/index.js";

// Seconds a server start, setup and teardown take on top of the load itself; used only to
// decide whether a scenario still fits in the budget.
const HTTP_OVERHEAD_SECONDS = 4;
// The storm runs this long before measuring, so the measured runs see it at full strength.
const STORM_RAMP_MS = 1000;

const active = new Set<StartedTarget>();

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").slice(0, 3).join(" | ").slice(0, 400);
}

function selected(options: BenchOptions, name: string): boolean {
  const lower = name.toLowerCase();
  return options.only.length === 0 || options.only.some((part) => lower.includes(part));
}

async function runVerifiers(options: BenchOptions, plan: CorePlan): Promise<ScenarioResult[]> {
  const job: VerifyJob = { runs: options.runs, seconds: options.verifySeconds };
  const child = spawnPinned(plan.server, [process.execPath, "--import", "tsx", "bench/inprocess/verify.ts"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2000)));
  const exit = new Promise<number | null>((resolve) => child.once("close", resolve));
  child.stdin?.end(JSON.stringify(job));
  const code = await exit;
  let cases: VerifyCaseOutput[];
  try {
    cases = (JSON.parse(stdout.trim().split("\n").pop() ?? "") as { cases: VerifyCaseOutput[] }).cases;
  } catch {
    throw new Error(`in-process verifier benchmark exited with ${code}: ${stderr}`);
  }
  return cases.map((entry) => {
    const row: ScenarioResult = {
      name: verifierRowName(entry.library, entry.alg),
      group: "in-process",
      description: entry.library,
      unit: "verify/s",
      alg: entry.alg,
      status: entry.skipped === undefined ? "ok" : "skipped",
      runs: entry.opsPerSecond.map((opsPerSecond) => ({
        opsPerSecond,
        p50Ms: null,
        p99Ms: null,
        totalRequests: Math.round(opsPerSecond * options.verifySeconds),
        non2xx: 0,
        errors: 0,
        durationSeconds: options.verifySeconds,
      })),
    };
    if (entry.skipped !== undefined) row.note = entry.skipped;
    if (row.runs.length > 0) row.median = summarizeRuns(row.runs);
    return row;
  });
}

function skippedRow(scenario: HttpScenario, status: "skipped" | "failed", note: string): ScenarioResult {
  const row: ScenarioResult = { name: scenario.name, group: scenario.group, description: scenario.description, unit: "req/s", status, note, runs: [] };
  if (scenario.peer !== undefined) row.peer = scenario.peer;
  return row;
}

/** A scenario whose server is up and whose request is ready, with what its runs gave so far. */
interface Prepared {
  scenario: HttpScenario;
  target: StartedTarget;
  request: RequestSpec;
  runs: RunResult[];
  background?: BackgroundLoad;
  backgroundTotals?: BackgroundResult;
}

async function prepare(scenario: HttpScenario, ctx: ScenarioContext): Promise<Prepared> {
  const target = await scenario.start(ctx);
  active.add(target);
  try {
    const request = typeof scenario.request === "function" ? await scenario.request(target, ctx) : scenario.request;
    const prepared: Prepared = { scenario, target, request, runs: [] };
    if (scenario.background !== undefined) prepared.background = await scenario.background(target, ctx);
    return prepared;
  } catch (error) {
    active.delete(target);
    await target.stop();
    throw error;
  }
}

/** Runs `measure` and records the CPU time the server spent meanwhile on each run it returns. */
async function withServerCpu(target: StartedTarget, measure: () => Promise<RunResult[]>): Promise<RunResult[]> {
  const before = readProcessCpuSeconds(target.pid);
  const runs = await measure();
  const after = readProcessCpuSeconds(target.pid);
  const spent = before === null || after === null ? null : after - before;
  return runs.map((run) => ({ ...run, serverCpuSeconds: spent }));
}

/** One load run against a prepared scenario, with its background storm around it when it has one. */
async function loadOnce(prepared: Prepared, load: LoadGenerator, plan: CorePlan, connections: number, seconds: number): Promise<RunResult[]> {
  const job = { url: prepared.target.url, request: prepared.request, connections, warmupSeconds: 0, runs: 1, durationSeconds: seconds };
  const background = prepared.background;
  if (background === undefined) return withServerCpu(prepared.target, () => load.run(job));
  const storm = startBackgroundLoad(plan.load, {
    url: prepared.target.url,
    request: background.request,
    connections: background.connections,
    warmupSeconds: 0,
    runs: 1,
    durationSeconds: 0,
    name: background.name,
  });
  try {
    await storm.started;
    await new Promise((resolve) => setTimeout(resolve, STORM_RAMP_MS));
    // The storm's own requests are on the server's bill too: no CPU per request for this row.
    return (await load.run(job)).map((run) => ({ ...run, serverCpuSeconds: null }));
  } finally {
    const totals = await storm.stop();
    const sum = prepared.backgroundTotals;
    // Totals add up over runs; the rate is the mean of the runs' rates.
    const runs = prepared.runs.length + 1;
    prepared.backgroundTotals =
      sum === undefined
        ? totals
        : {
            name: totals.name,
            opsPerSecond: (sum.opsPerSecond * (runs - 1) + totals.opsPerSecond) / runs,
            totalRequests: sum.totalRequests + totals.totalRequests,
            non2xx: sum.non2xx + totals.non2xx,
            errors: sum.errors + totals.errors,
          };
  }
}

function resultRow(prepared: Prepared): ScenarioResult {
  const { scenario, runs } = prepared;
  const row: ScenarioResult = {
    name: scenario.name,
    group: scenario.group,
    description: scenario.description,
    unit: "req/s",
    status: "ok",
    runs,
  };
  if (scenario.peer !== undefined) row.peer = scenario.peer;
  if (runs.length === 0) return { ...row, status: "failed", note: "no measured run completed" };
  row.median = summarizeRuns(runs);
  if (prepared.backgroundTotals !== undefined) {
    row.background = prepared.backgroundTotals;
    if (row.background.non2xx + row.background.errors > 0) {
      row.note = `${row.background.name}: ${row.background.non2xx} non-2xx, ${row.background.errors} errors`;
    }
  }
  const bad = describeBadResponses(runs);
  if (bad !== null) {
    row.status = "invalid";
    row.note = bad;
  }
  return row;
}

/**
 * Every selected HTTP scenario, interleaved: all servers are started first (each on the server
 * core, idle until its turn), each gets one warm-up, then round r measures run r of every
 * scenario in turn. A disturbance on the shared machine then lands on one run of many
 * scenarios, not on all runs of one, and the medians stay comparable.
 */
async function runHttpScenarios(options: BenchOptions, ctx: ScenarioContext, plan: CorePlan, deadline: number): Promise<ScenarioResult[]> {
  const rows = new Map<string, ScenarioResult>();
  const prepared: Prepared[] = [];
  const perScenarioSeconds = options.warmupSeconds + options.runs * options.durationSeconds + HTTP_OVERHEAD_SECONDS;
  let plannedSeconds = 0;
  for (const scenario of httpScenarios) {
    if (!selected(options, scenario.name)) continue;
    const reason = (await scenario.unavailableReason?.(ctx)) ?? null;
    if (reason !== null) {
      log(`${scenario.name}: skipped, ${reason}`);
      rows.set(scenario.name, skippedRow(scenario, "skipped", reason));
      continue;
    }
    // Planned up front: the rounds measure every started scenario, so one that would not fit is never started.
    if (Date.now() + (plannedSeconds + perScenarioSeconds) * 1000 > deadline) {
      log(`${scenario.name}: skipped, over the ${options.budgetSeconds} s budget`);
      rows.set(scenario.name, skippedRow(scenario, "skipped", `over the ${options.budgetSeconds} s time budget`));
      continue;
    }
    log(`${scenario.name}: starting`);
    try {
      prepared.push(await prepare(scenario, ctx));
      plannedSeconds += perScenarioSeconds;
    } catch (error) {
      log(`${scenario.name}: failed, ${firstLine(error)}`);
      rows.set(scenario.name, skippedRow(scenario, "failed", firstLine(error)));
    }
  }

  const load = startLoadGenerator(plan.load);
  const failed = new Map<Prepared, string>();
  const measure = async (entry: Prepared, seconds: number, keep: boolean): Promise<void> => {
    if (failed.has(entry)) return;
    try {
      const runs = await loadOnce(entry, load, plan, options.connections, seconds);
      if (keep) entry.runs.push(...runs);
    } catch (error) {
      log(`${entry.scenario.name}: failed, ${firstLine(error)}`);
      failed.set(entry, firstLine(error));
    }
  };
  try {
    log(`warm-up: ${options.warmupSeconds} s per scenario`);
    for (const entry of prepared) await measure(entry, options.warmupSeconds, false);
    for (let round = 1; round <= options.runs; round++) {
      log(`round ${round} of ${options.runs}`);
      for (const entry of prepared) await measure(entry, options.durationSeconds, true);
    }
  } finally {
    load.close();
    for (const entry of prepared) {
      active.delete(entry.target);
      await entry.target.stop().catch(() => undefined);
    }
  }
  for (const entry of prepared) {
    const reason = failed.get(entry);
    const row = reason === undefined ? resultRow(entry) : skippedRow(entry.scenario, "failed", reason);
    rows.set(entry.scenario.name, row);
    log(`${row.name}: ${Math.round(row.median?.opsPerSecond ?? 0)} req/s${row.status === "ok" ? "" : ` (${row.status}: ${row.note ?? ""})`}`);
  }
  // The registry's order, whatever order things finished in.
  return httpScenarios.map((scenario) => rows.get(scenario.name)).filter((row): row is ScenarioResult => row !== undefined);
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date();
  // Before the bench adds load of its own, so the recorded load average reflects other work.
  const machine = collectMachineInfo();
  const deadline = startedAt.getTime() + options.budgetSeconds * 1000;
  const plan = planCores();
  const peerSecret = createPeerSecret();
  const ctx: ScenarioContext = {
    peerSecret,
    peerToken: await mintPeerToken({ secret: peerSecret, ttlSeconds: 3600 }),
    coldTokenCount: options.coldTokenCount,
    serverPin: plan.server,
    quick: options.quick,
  };
  log(`${options.quick ? "quick" : "full"} mode; ${plan.description}; budget ${options.budgetSeconds} s`);

  const scenarios: ScenarioResult[] = [];
  const wantVerifiers = verifierCases.some((entry) => selected(options, verifierRowName(entry.library, entry.alg)));
  if (wantVerifiers) {
    log("in-process verifiers");
    try {
      const rows = await runVerifiers(options, plan);
      scenarios.push(...rows.filter((row) => selected(options, row.name)));
    } catch (error) {
      log(`in-process verifiers failed: ${firstLine(error)}`);
    }
  }
  // Capacity is planned before the HTTP rounds so the budget keeps room for it.
  const wantCapacity = selected(options, "capacity");
  const capacityReserve = wantCapacity ? estimateCapacitySeconds(options) * 1000 : 0;
  scenarios.push(...(await runHttpScenarios(options, ctx, plan, deadline - capacityReserve)));

  let capacity: CapacityResult[] | undefined;
  if (wantCapacity) {
    log("capacity (in process, one core)");
    try {
      capacity = await runCapacity(options, plan);
    } catch (error) {
      log(`capacity failed: ${firstLine(error)}`);
    }
  }

  const results: BenchResults = {
    schemaVersion: 2,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    settings: {
      mode: options.quick ? "quick" : "full",
      runs: options.runs,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      verifySeconds: options.verifySeconds,
      coldTokenCount: options.coldTokenCount,
      budgetSeconds: options.budgetSeconds,
      capacitySeconds: wantCapacity ? options.capacitySeconds : 0,
      pinning: plan.description,
    },
    machine,
    versions: readPackageVersions(),
    scenarios,
    ...(capacity === undefined ? {} : { capacity }),
  };

  const resultsDir = join(REPO_ROOT, "bench", "results");
  await mkdir(resultsDir, { recursive: true });
  // Colons are legal on Linux but not on every file system the repository may be checked out on.
  const stem = join(resultsDir, results.startedAt.replaceAll(":", "-"));
  await writeFile(`${stem}.json`, JSON.stringify(results, null, 2) + "\n");
  await writeFile(`${stem}.svg`, renderRatioChart(results));
  const resultsPath = relative(REPO_ROOT, `${stem}.json`);

  console.log(formatConsoleReport(results));
  console.log(`\nresults: ${resultsPath} (chart: ${relative(REPO_ROOT, `${stem}.svg`)})`);
  if (!options.writeDocs) return;
  if (options.only.length > 0) {
    console.log("docs/benchmarks.md not regenerated: --only ran a subset (npm run bench:docs -- <results.json> renders it from any result file)");
    return;
  }
  await writeFile(join(REPO_ROOT, "docs", DOCS_CHART), renderRatioChart(results));
  await writeFile(join(REPO_ROOT, "docs", "benchmarks.md"), renderBenchmarksMarkdown(results, resultsPath));
  console.log("docs/benchmarks.md regenerated");
}

// Ctrl-C must not leave servers listening on the machine.
process.once("SIGINT", () => {
  void Promise.allSettled([...active].map((target) => target.stop())).finally(() => process.exit(130));
});

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// `npm run bench [-- --quick]`: runs the in-process verifier benchmark and every registered HTTP
// scenario, prints the tables, writes bench/results/<timestamp>.json and regenerates docs/benchmarks.md.
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { VerifyCaseOutput, VerifyJob } from "./inprocess/verify.js";
import { verifierCases } from "./inprocess/verifiers.js";
import { runMeasuredLoad, startBackgroundLoad } from "./lib/load.js";
import { collectMachineInfo, readPackageVersions } from "./lib/machine.js";
import { parseBenchOptions, USAGE, type BenchOptions } from "./lib/options.js";
import { planCores, REPO_ROOT, spawnPinned, type CorePlan } from "./lib/processes.js";
import { formatConsoleReport, renderBenchmarksMarkdown, verifierRowName } from "./lib/report.js";
import { describeBadResponses, summarizeRuns } from "./lib/stats.js";
import { createPeerSecret, mintPeerToken } from "./lib/tokens.js";
import type { BackgroundResult, BenchResults, HttpScenario, ScenarioContext, ScenarioResult, StartedTarget } from "./lib/types.js";
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
  return { name: scenario.name, group: scenario.group, description: scenario.description, unit: "req/s", status, note, runs: [] };
}

async function runHttpScenario(
  scenario: HttpScenario,
  ctx: ScenarioContext,
  options: BenchOptions,
  plan: CorePlan,
): Promise<ScenarioResult> {
  const target = await scenario.start(ctx);
  active.add(target);
  let storm: { stop(): Promise<BackgroundResult> } | undefined;
  try {
    const request = typeof scenario.request === "function" ? await scenario.request(target, ctx) : scenario.request;
    let backgroundName: string | undefined;
    if (scenario.background !== undefined) {
      const background = await scenario.background(target, ctx);
      backgroundName = background.name;
      storm = startBackgroundLoad(plan.load, {
        url: target.url,
        request: background.request,
        connections: background.connections,
        warmupSeconds: 0,
        runs: 1,
        durationSeconds: 0,
        name: background.name,
      });
      await new Promise((resolve) => setTimeout(resolve, STORM_RAMP_MS));
    }
    const runs = await runMeasuredLoad(plan.load, {
      url: target.url,
      request,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      runs: options.runs,
      durationSeconds: options.durationSeconds,
    });
    const row: ScenarioResult = {
      name: scenario.name,
      group: scenario.group,
      description: scenario.description,
      unit: "req/s",
      status: "ok",
      runs,
      median: summarizeRuns(runs),
    };
    if (storm !== undefined) {
      row.background = await storm.stop();
      storm = undefined;
      if (row.background.non2xx + row.background.errors > 0) {
        row.note = `${backgroundName ?? "background"}: ${row.background.non2xx} non-2xx, ${row.background.errors} errors`;
      }
    }
    const bad = describeBadResponses(runs);
    if (bad !== null) {
      row.status = "invalid";
      row.note = bad;
    }
    return row;
  } finally {
    if (storm !== undefined) await storm.stop().catch(() => undefined);
    active.delete(target);
    await target.stop();
  }
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

  for (const scenario of httpScenarios) {
    if (!selected(options, scenario.name)) continue;
    const reason = (await scenario.unavailableReason?.(ctx)) ?? null;
    if (reason !== null) {
      log(`${scenario.name}: skipped, ${reason}`);
      scenarios.push(skippedRow(scenario, "skipped", reason));
      continue;
    }
    const estimateSeconds = options.warmupSeconds + options.runs * options.durationSeconds + HTTP_OVERHEAD_SECONDS;
    if (Date.now() + estimateSeconds * 1000 > deadline) {
      log(`${scenario.name}: skipped, over the ${options.budgetSeconds} s budget`);
      scenarios.push(skippedRow(scenario, "skipped", `over the ${options.budgetSeconds} s time budget`));
      continue;
    }
    log(`${scenario.name}: running`);
    try {
      const row = await runHttpScenario(scenario, ctx, options, plan);
      scenarios.push(row);
      log(`${scenario.name}: ${Math.round(row.median?.opsPerSecond ?? 0)} req/s${row.status === "ok" ? "" : ` (${row.status}: ${row.note ?? ""})`}`);
    } catch (error) {
      log(`${scenario.name}: failed, ${firstLine(error)}`);
      scenarios.push(skippedRow(scenario, "failed", firstLine(error)));
    }
  }

  const results: BenchResults = {
    schemaVersion: 1,
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
      pinning: plan.description,
    },
    machine,
    versions: readPackageVersions(),
    scenarios,
  };

  const resultsDir = join(REPO_ROOT, "bench", "results");
  await mkdir(resultsDir, { recursive: true });
  // Colons are legal on Linux but not on every file system the repository may be checked out on.
  const resultsFile = join(resultsDir, `${results.startedAt.replaceAll(":", "-")}.json`);
  await writeFile(resultsFile, JSON.stringify(results, null, 2) + "\n");
  const resultsPath = relative(REPO_ROOT, resultsFile);

  console.log(formatConsoleReport(results));
  console.log(`\nresults: ${resultsPath}`);
  if (!options.writeDocs) return;
  if (options.only.length > 0) {
    console.log("docs/benchmarks.md not regenerated: --only ran a subset");
    return;
  }
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

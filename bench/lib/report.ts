// Turns a BenchResults into the console tables and docs/benchmarks.md.
import { existsSync, readFileSync } from "node:fs";
import { FAST_JWT_NO_CACHE, TESSERA_VERIFIER } from "../inprocess/verifiers.js";
import { GUARD_SCENARIOS } from "../scenarios/guards.js";
import { FLOOR_SCENARIO, PEER_SCENARIOS } from "../scenarios/peers.js";
import { TESSERA_SCENARIOS } from "../scenarios/tessera.js";
import type { BenchResults, CapacityResult, ScenarioResult } from "./types.js";

/** The chart's copy next to docs/benchmarks.md (the package ships docs/, not bench/). */
export const DOCS_CHART = "benchmarks.svg";

export type TargetStatus = "met" | "missed" | "not measured";

export interface TargetCheck {
  target: string;
  status: TargetStatus;
  /** The measured figures behind the status, one line. */
  detail: string;
}

function measured(result: ScenarioResult | undefined): ScenarioResult | undefined {
  return result?.status === "ok" && result.median !== undefined ? result : undefined;
}

function opsOf(results: ScenarioResult[], name: string): number | undefined {
  return measured(results.find((result) => result.name === name))?.median?.opsPerSecond;
}

/** Ratio of a row to the floor (HTTP rows only). */
export function ratioToFloor(results: ScenarioResult[], row: ScenarioResult): number | undefined {
  const floor = opsOf(results, FLOOR_SCENARIO);
  const ops = measured(row)?.median?.opsPerSecond;
  return row.group === "in-process" || floor === undefined || ops === undefined ? undefined : ops / floor;
}

function cpuOf(results: ScenarioResult[], name: string): number | undefined {
  return measured(results.find((result) => result.name === name))?.median?.cpuMicrosPerRequest ?? undefined;
}

/**
 * Floor CPU per request divided by the row's: the ratio of what one server core can answer,
 * whatever the load generator managed. Above the req/s ratio when the generator, not the
 * server, was the limit.
 */
export function cpuRatioToFloor(results: ScenarioResult[], row: ScenarioResult): number | undefined {
  const floor = cpuOf(results, FLOOR_SCENARIO);
  const own = measured(row)?.median?.cpuMicrosPerRequest ?? undefined;
  return row.group === "in-process" || floor === undefined || own === undefined || own <= 0 ? undefined : floor / own;
}

/** The same, against the row's peer. */
export function cpuRatioToPeer(results: ScenarioResult[], row: ScenarioResult): number | undefined {
  const peer = row.peer === undefined ? undefined : cpuOf(results, row.peer);
  const own = measured(row)?.median?.cpuMicrosPerRequest ?? undefined;
  return peer === undefined || own === undefined || own <= 0 ? undefined : peer / own;
}

/** Share of one core the server was busy during the row's runs (req/s x CPU per request), or undefined. */
export function serverBusy(row: ScenarioResult | undefined): number | undefined {
  const median = measured(row)?.median;
  const cpu = median?.cpuMicrosPerRequest;
  return median === undefined || cpu === null || cpu === undefined ? undefined : (median.opsPerSecond * cpu) / 1e6;
}

/** A server busier than this was the limit of its own run; below it, the load generator (or other work) was. */
export const SATURATED = 0.85;

/**
 * The ratio a target is judged on. req/s ratios compare capacity only when both servers were
 * the limit of their runs (busy >= {@link SATURATED}); otherwise the load generator capped them
 * and the ratio of CPU per request is the comparison of what one core can answer.
 */
function judgedRatio(
  row: ScenarioResult,
  baseline: ScenarioResult | undefined,
  byRequests: number | undefined,
  byCpu: number | undefined,
): { value: number; basis: string } | undefined {
  const busyRow = serverBusy(row);
  const busyBase = serverBusy(baseline);
  const saturated = busyRow !== undefined && busyBase !== undefined && busyRow >= SATURATED && busyBase >= SATURATED;
  if (byRequests !== undefined && (saturated || byCpu === undefined)) return { value: byRequests, basis: "req/s" };
  if (byCpu !== undefined) return { value: byCpu, basis: "CPU per request" };
  return undefined;
}

/** Ratio of a row to the peer it names (a guard to its framework's JWT plug-in, the reference server to fastify + @fastify/jwt). */
export function ratioToPeer(results: ScenarioResult[], row: ScenarioResult): number | undefined {
  const peer = row.peer === undefined ? undefined : opsOf(results, row.peer);
  const ops = measured(row)?.median?.opsPerSecond;
  return peer === undefined || ops === undefined ? undefined : ops / peer;
}

/** Ratio of an in-process row to fast-jwt without cache on the same algorithm. */
export function ratioToFastJwt(results: ScenarioResult[], row: ScenarioResult): number | undefined {
  const baseline = opsOf(results, verifierRowName(FAST_JWT_NO_CACHE, row.alg ?? ""));
  const ops = measured(row)?.median?.opsPerSecond;
  return row.group !== "in-process" || baseline === undefined || ops === undefined ? undefined : ops / baseline;
}

/** Row name of an in-process verifier result. */
export function verifierRowName(library: string, alg: string): string {
  return `verify ${library} ${alg}`;
}

function rowsStartingWith(results: ScenarioResult[], prefix: string): ScenarioResult[] {
  return results.filter((result) => result.name.startsWith(prefix));
}

function variantOf(name: string): string {
  const match = /\(([^)]+)\)$/.exec(name);
  // In-process rows carry the algorithm as their last word instead of a "(variant)".
  return match?.[1] ?? name.split(" ").pop() ?? name;
}

const fmtRatio = (value: number | undefined): string => (value === undefined ? "-" : `${value.toFixed(2)}x`);
// autocannon records whole milliseconds, so 0 means "under one" and decimals would be false precision.
const fmtMs = (value: number | null | undefined): string => {
  if (value === null || value === undefined) return "-";
  if (value === 0) return "<1";
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
};
const fmtOps = (value: number | undefined): string => (value === undefined ? "-" : Math.round(value).toLocaleString("en-US"));

/**
 * Checks the issue's performance targets against one result set.
 *
 * @example
 * for (const check of evaluateTargets(results)) console.log(check.status, check.target);
 */
export function evaluateTargets(results: BenchResults): TargetCheck[] {
  const rows = results.scenarios;
  const checks: TargetCheck[] = [];
  const perVariant = (
    target: string,
    prefix: string,
    judge: (row: ScenarioResult) => { ok: boolean; detail: string } | undefined,
  ): void => {
    const judged = rowsStartingWith(rows, prefix)
      .filter((row) => measured(row) !== undefined)
      .map((row) => ({ row, verdict: judge(row) }));
    const usable = judged.filter((entry) => entry.verdict !== undefined);
    if (usable.length === 0) {
      checks.push({ target, status: "not measured", detail: "no valid run of this scenario (or of its baseline)" });
      return;
    }
    for (const { row, verdict } of usable) {
      if (verdict === undefined) continue;
      checks.push({ target: `${target} [${variantOf(row.name)}]`, status: verdict.ok ? "met" : "missed", detail: verdict.detail });
    }
  };

  const find = (name: string | undefined) => (name === undefined ? undefined : rows.find((row) => row.name === name));
  const busyText = (row: ScenarioResult | undefined) => {
    const busy = serverBusy(row);
    return busy === undefined ? "-" : `${Math.round(busy * 100)}%`;
  };
  const floorJudged = (row: ScenarioResult) =>
    judgedRatio(row, find(FLOOR_SCENARIO), ratioToFloor(rows, row), cpuRatioToFloor(rows, row));
  const peerJudged = (row: ScenarioResult) => judgedRatio(row, find(row.peer), ratioToPeer(rows, row), cpuRatioToPeer(rows, row));
  const guardTarget = (framework: keyof typeof GUARD_SCENARIOS, minFloor: number | null, minPeer: number): void => {
    const peer = PEER_SCENARIOS[framework];
    const floorPart = minFloor === null ? "" : ` >= ${minFloor.toFixed(2)}x floor and`;
    perVariant(`${GUARD_SCENARIOS[framework]}${floorPart} >= ${minPeer}x ${peer}`, `${GUARD_SCENARIOS[framework]} (warm)`, (row) => {
      const floor = floorJudged(row);
      const versusPeer = peerJudged(row);
      if ((minFloor !== null && floor === undefined) || versusPeer === undefined) return undefined;
      return {
        ok: (minFloor === null || (floor !== undefined && floor.value >= minFloor)) && versusPeer.value >= minPeer,
        detail:
          `${minFloor === null || floor === undefined ? "" : `${fmtRatio(floor.value)} floor by ${floor.basis}, `}${fmtRatio(versusPeer.value)} peer by ${versusPeer.basis}` +
          ` (req/s ${fmtOps(row.median?.opsPerSecond)}: ${fmtRatio(ratioToFloor(rows, row))} floor, ${fmtRatio(ratioToPeer(rows, row))} peer;` +
          ` CPU ${fmtRatio(cpuRatioToFloor(rows, row))} floor, ${fmtRatio(cpuRatioToPeer(rows, row))} peer; server busy ${busyText(row)}, floor ${busyText(find(FLOOR_SCENARIO))}, peer ${busyText(find(peer))})`,
      };
    });
  };
  guardTarget("fastify", 0.75, 2);
  guardTarget("hono", null, 2);
  guardTarget("express", null, 2);
  const meTarget = (label: string, prefix: string): void => {
    perVariant(`Reference server GET /api/me, ${label}, >= 0.45x floor`, prefix, (row) => {
      const floor = floorJudged(row);
      if (floor === undefined) return undefined;
      return {
        ok: floor.value >= 0.45,
        detail:
          `${fmtRatio(floor.value)} floor by ${floor.basis} (req/s ${fmtOps(row.median?.opsPerSecond)}: ${fmtRatio(ratioToFloor(rows, row))};` +
          ` CPU ${fmtRatio(cpuRatioToFloor(rows, row))}; server busy ${busyText(row)}, floor ${busyText(find(FLOOR_SCENARIO))})`,
      };
    });
  };
  meTarget("access token", TESSERA_SCENARIOS.accessWarm);
  meTarget("personal access token", TESSERA_SCENARIOS.patWarm);
  perVariant("Protected-route p99 <= 25 ms during a login storm", TESSERA_SCENARIOS.loginStorm, (row) => {
    const p99 = row.median?.p99Ms;
    if (p99 === null || p99 === undefined) return undefined;
    return { ok: p99 <= 25, detail: `p99 ${fmtMs(p99)} ms` };
  });
  perVariant("Tessera verifier >= fast-jwt without cache", verifierRowName(TESSERA_VERIFIER, ""), (row) => {
    const ratio = ratioToFastJwt(rows, row);
    if (ratio === undefined) return undefined;
    return { ok: ratio >= 1, detail: `${fmtRatio(ratio)} fast-jwt (no cache), ${row.alg ?? ""}` };
  });
  return checks;
}

function statusText(row: ScenarioResult): string {
  if (row.status === "ok") return "ok";
  return row.note === undefined ? row.status : `${row.status}: ${row.note.split("\n")[0] ?? ""}`;
}

interface Table {
  header: string[];
  rows: string[][];
}

function httpTable(results: BenchResults): Table {
  const rows = results.scenarios.filter((row) => row.group !== "in-process");
  return {
    header: ["Scenario", "req/s (median)", "p50 ms", "p99 ms", "x floor", "x peer", "CPU us/req", "server busy", "x floor (CPU)", "x peer (CPU)", "status"],
    rows: rows.map((row) => {
      const cpu = measured(row)?.median?.cpuMicrosPerRequest;
      return [
        row.name,
        fmtOps(measured(row)?.median?.opsPerSecond),
        fmtMs(measured(row)?.median?.p50Ms),
        fmtMs(measured(row)?.median?.p99Ms),
        fmtRatio(ratioToFloor(results.scenarios, row)),
        fmtRatio(ratioToPeer(results.scenarios, row)),
        cpu === null || cpu === undefined ? "-" : cpu.toFixed(1),
        serverBusy(row) === undefined ? "-" : `${Math.round((serverBusy(row) ?? 0) * 100)}%`,
        fmtRatio(cpuRatioToFloor(results.scenarios, row)),
        fmtRatio(cpuRatioToPeer(results.scenarios, row)),
        statusText(row),
      ];
    }),
  };
}

function verifierTable(results: BenchResults): Table {
  const rows = results.scenarios.filter((row) => row.group === "in-process");
  return {
    header: ["Verifier", "alg", "verify/s (median)", "us/verify", "x fast-jwt (no cache)", "status"],
    rows: rows.map((row) => {
      const ops = measured(row)?.median?.opsPerSecond;
      return [
        row.description,
        row.alg ?? "",
        fmtOps(ops),
        ops === undefined ? "-" : (1e6 / ops).toFixed(2),
        fmtRatio(ratioToFastJwt(results.scenarios, row)),
        statusText(row),
      ];
    }),
  };
}

function capacityTable(results: BenchResults): Table {
  return {
    header: ["Capacity (one core)", "median", "unit", "runs", "what is measured"],
    rows: (results.capacity ?? []).map((figure: CapacityResult) => {
      if (figure.skipped !== undefined) return [figure.name, "-", figure.unit, "-", `skipped: ${figure.skipped}`];
      if (figure.percentiles !== undefined) {
        const { p50, p99, max, samples } = figure.percentiles;
        return [figure.name, p99.toFixed(1), figure.unit, `${samples} samples`, `${figure.note ?? ""} (p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms)`];
      }
      return [figure.name, fmtOps(figure.median), figure.unit, figure.values.map((value) => fmtOps(value)).join(" / "), figure.note ?? ""];
    }),
  };
}

function renderPlain(table: Table): string {
  const widths = table.header.map((cell, column) =>
    Math.max(cell.length, ...table.rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        // Names and the status prose read left-aligned; figures right-aligned.
        return column === 0 || column === cells.length - 1 ? cell.padEnd(width) : cell.padStart(width);
      })
      .join("  ")
      .trimEnd();
  return [line(table.header), widths.map((width) => "-".repeat(width)).join("  "), ...table.rows.map(line)].join("\n");
}

function renderMarkdownTable(table: Table): string {
  const escape = (cell: string): string => cell.replaceAll("|", "\\|");
  const align = table.header.map((_, column) => (column === 0 ? "---" : "---:"));
  // Status text is prose: left-align the last column.
  align[align.length - 1] = "---";
  return [
    `| ${table.header.map(escape).join(" | ")} |`,
    `| ${align.join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}

/**
 * The console summary: both tables and the target checks.
 *
 * @example
 * console.log(formatConsoleReport(results));
 */
export function formatConsoleReport(results: BenchResults): string {
  const targets = evaluateTargets(results)
    .map((check) => `  ${check.status.padEnd(12)} ${check.target}${check.status === "not measured" ? "" : ` (${check.detail})`}`)
    .join("\n");
  return [
    "HTTP (median of runs; latency in ms):",
    renderPlain(httpTable(results)),
    "",
    "In-process verification (same token, one core):",
    renderPlain(verifierTable(results)),
    "",
    ...(results.capacity === undefined ? [] : ["Capacity (in process, one core):", renderPlain(capacityTable(results)), ""]),
    "Targets:",
    targets,
  ].join("\n");
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/**
 * Renders docs/benchmarks.md from one result set; the file is generated, never edited by hand.
 * The chart is the `.svg` written next to the result file.
 *
 * @example
 * await writeFile("docs/benchmarks.md", renderBenchmarksMarkdown(results, "bench/results/2025-01-01T00-00-00.000Z.json"));
 */
export function renderBenchmarksMarkdown(results: BenchResults, resultsPath: string): string {
  const { settings, machine, versions } = results;
  const targets = evaluateTargets(results);
  const storms = results.scenarios.filter((row) => row.background !== undefined);
  const chartPath = resultsPath.replace(/\.json$/, ".svg");
  const busy = machine.loadAverage1m > 0.5;
  const quickWarning =
    settings.mode === "quick"
      ? [
          "",
          `> These figures come from a **quick** run (${settings.runs} runs of ${settings.durationSeconds} s per HTTP scenario,`,
          `> ${settings.verifySeconds} s per in-process run).`,
          "> They show the harness works and give a rough order; run `npm run bench` for figures worth quoting.",
        ]
      : [];
  const lines = [
    "# Benchmarks",
    "",
    `<!-- Generated by \`npm run bench\` from ${resultsPath}. Do not edit by hand: rerun the bench, or \`npm run bench:docs -- ${resultsPath}\`. -->`,
    "",
    "Tessera's adapters (`requireAuth` for Fastify, Hono and Express) on the same route as each",
    "framework's usual JWT plug-in, Tessera's reference server (`GET /api/me`), Tessera's",
    "access-token verifier next to the common JWT libraries, and capacity per core in operators' units.",
    "",
    `**Run conditions:** ${results.startedAt.slice(0, 16).replace("T", " ")} UTC, **${settings.mode}** mode, ${machine.cores} cores (${machine.cpuModel}),`,
    `${settings.pinning}; 1-minute load average ${machine.loadAverage1m.toFixed(2)} when the run started` +
      (busy ? " (the machine was shared with other work: figures are noisy, ratios within one run are what to compare)." : "."),
    ...quickWarning,
    ...saturationWarning(results),
    "",
    // docs/ ships in the package and bench/ does not: the page shows the copy written beside it.
    `![req/s and server CPU per request of every HTTP scenario as a multiple of the node:http floor](${DOCS_CHART})`,
    "",
    "## HTTP: one protected JSON route",
    "",
    renderMarkdownTable(httpTable(results)),
    "",
    "`x floor` divides by the raw `node:http` server (no framework, no auth). `x peer` divides a",
    "Tessera row by its peer: each `<framework> + tessera` row by the same framework with its usual",
    "JWT plug-in on the same route (`GET /api/users/:id`, same body), the reference server's rows by",
    "fastify + @fastify/jwt. Latency is what autocannon saw, in milliseconds.",
    "",
    "`CPU us/req` is the CPU time (user + system, read from `/proc`) the server process spent per",
    "response during the measured runs, and the `(CPU)` ratios divide those costs (floor / row):",
    "what one server core can answer, whatever the load generator or other work on the machine",
    "managed. `server busy` is req/s x CPU per request: the share of its core the server used. Below",
    `about ${Math.round(SATURATED * 100)}% the load generator (one autocannon process on one core) or other work on the machine was the`,
    "limit, not the server, and its req/s says little about the server; the targets below are then",
    "judged on the CPU ratios (and say so). CPU per request is itself somewhat higher on a server far",
    "from saturation (fewer requests share each wake-up), so CPU ratios between rows of very different",
    "`server busy` are approximate.",
    ...storms.flatMap((row) =>
      row.background === undefined
        ? []
        : [
            "",
            `During "${row.name}" the storm (${row.background.name}) completed ${fmtOps(row.background.opsPerSecond)} logins/s` +
              ` (${row.background.non2xx} non-2xx, ${row.background.errors} errors).`,
          ],
    ),
    "",
    ...(results.capacity === undefined
      ? []
      : [
          "## Capacity per core",
          "",
          renderMarkdownTable(capacityTable(results)),
          "",
          "Measured in one process pinned to the server core, through `createTessera` (no HTTP in",
          "front: add the framework's per-request cost from the table above), on a SQLite file store",
          "except for propagation, which runs two instances on one PostgreSQL schema with one Redis",
          "revocation feed each. Throughput is the median of the runs (each run's figure listed).",
          "",
        ]),
    "## In process: JWT verifications per second",
    "",
    renderMarkdownTable(verifierTable(results)),
    "",
    "Every library verifies the same token with the same checks: algorithm pinned, signature,",
    "`exp`/`nbf`, `iss` and `aud`. The token is reused on every call, so `fast-jwt (cache)` shows",
    "its best case (every lookup hits). Each verifier must accept the token and reject a forged",
    "signature before it is timed. jsonwebtoken 9 first tries `crypto.createPublicKey()` on an",
    "HMAC secret on every call and catches the failure; that attempt dominates its cost here, and",
    "passport-jwt inherits it. `tessera (no cache)` is the like-for-like row for the target below;",
    "`tessera (cache)` is the verifier as the server configures it (LRU of verified tokens).",
    "",
    "## Targets",
    "",
    "| target | status | measured |",
    "| --- | --- | --- |",
    ...targets.map((check) => `| ${check.target} | ${check.status} | ${check.status === "not measured" ? "-" : check.detail} |`),
    "",
    ...readAnalysis(),
    "## Machine",
    "",
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores`,
    `- Memory: ${formatBytes(machine.memoryBytes)}`,
    `- OS: ${machine.platform} ${machine.release} (${machine.arch})`,
    `- Node.js: ${machine.nodeVersion}`,
    `- 1-minute load average when the run started: ${machine.loadAverage1m.toFixed(2)}` +
      (busy ? " (other work was running: expect noisier figures)" : ""),
    `- Placement: ${settings.pinning}`,
    "",
    "## Versions",
    "",
    "| package | version |",
    "| --- | --- |",
    ...Object.entries(versions).map(([name, version]) => `| ${name} | ${version} |`),
    "",
    "## Method",
    "",
    "- Each HTTP server runs in its own child process listening on 127.0.0.1; the load comes from",
    `  autocannon (programmatic API) in one other child process. Placement: ${settings.pinning}.`,
    "- Interleaved: every server is started first (idle ones wait on the server core), each gets",
    `  ${settings.warmupSeconds} s of discarded warm-up, then ${settings.runs} rounds each measure every scenario once for`,
    `  ${settings.durationSeconds} s with ${settings.connections} connections, no pipelining. A disturbance from other work lands on`,
    "  one run of several scenarios rather than on every run of one. The table shows the median of",
    "  the runs for req/s and, separately, for p50 and p99. req/s counts 2xx responses only; a",
    "  scenario with more than 1% non-2xx or socket errors is marked invalid instead of reported.",
    "- Tessera runs from the compiled `dist/` (what `npm install tessera-auth` ships; `npm run bench`",
    "  builds it first): the guard servers import the package by name and the reference server runs",
    "  `node dist/cli/main.js serve`. Run through tsx, the TypeScript sources get esbuild's keepNames",
    "  wrapper (`__name`, an `Object.defineProperty`) on every closure they create per request.",
    "- `fastify hello`, `hono, no auth` and `express 5, no auth` are each framework's own ceiling (the",
    "  last two on the peers' route and body): no Tessera row can pass its framework's.",
    "- Peers verify one HS256 token minted by the harness (1 h expiry), the way their documentation",
    "  does: signature and expiry. The Tessera guard servers (`bench/servers/tessera-*.ts`) run",
    "  `createTessera` on an in-memory SQLite store with HS256 too and check signature (or the",
    "  verified-token cache), `typ`, `iss`, `aud`, `kid`, expiry and revocation on every request.",
    `  "warm" reuses one token; "cold" rotates over ${settings.coldTokenCount} tokens with the cache on; "cache off" rotates`,
    "  over the same number with `TESSERA_TOKEN_CACHE_SIZE=0`, so each request pays a full HS256 verification.",
    "- The reference server runs with `TESSERA_LOG_LEVEL=warn` and with the per-token and login rate",
    "  limits off (one load generator with one token would otherwise measure 429s). Its \"cold\" row",
    `  sends a different valid access token on each request (round-robin over ${settings.coldTokenCount} tokens minted`,
    "  through refresh) with the verified-token cache off; the login storm keeps POST /api/tokens",
    "  busy with Basic credentials while the protected route is measured.",
    `- In process: one child process on the server core runs every verifier round-robin, one`,
    `  discarded warm-up pass then ${settings.runs} runs of ${settings.verifySeconds} s each; the median is shown.`,
    `- Capacity: ${settings.runs} runs of ${settings.capacitySeconds} s per throughput figure, 4 requests in flight, one`,
    "  argon2 job at a time (one core); `bench/capacity/measure.ts`.",
    "- PostgreSQL and Redis, when used, are the local services (not pinned). Override them with",
    "  `TESSERA_BENCH_POSTGRES_URL` (an account that may create databases) and `TESSERA_BENCH_REDIS_URL`.",
    `- The whole run is bounded: HTTP scenarios that would not fit in ${settings.budgetSeconds} s are skipped and say so.`,
    "",
    `Raw figures of every run: \`${resultsPath}\`; the chart: \`${chartPath}\` (copied to \`docs/${DOCS_CHART}\`).`,
    "",
    "## Running it",
    "",
    "```sh",
    "npm run bench            # about 15 minutes",
    "npm run bench -- --quick # about 3 minutes, indicative only",
    "npm run bench -- --only floor,fastify --no-docs",
    `npm run bench:docs -- ${resultsPath}   # this page again from a result file (chart included)`,
    "```",
    "",
    "Each guard server also runs alone (after `npm run build`; it imports the package by name):",
    "`PORT=3000 TOKEN_FILE=/tmp/token npx tsx bench/servers/tessera-fastify.ts`",
    "(likewise `tessera-hono.ts`, `tessera-express.ts`) prints one line when listening and writes a",
    "one-hour access token to `TOKEN_FILE`; then `curl -H \"Authorization: Bearer $(cat /tmp/token)\" localhost:3000/api/users/1`.",
    "",
    "A scenario is an `HttpScenario` (`bench/lib/types.ts`): `{ name, group, peer?, description, start(ctx)",
    "-> { url, stop() }, request | (target, ctx) => Promise<request>, background? }`. Add it to the",
    "registry in `bench/scenarios/index.ts` (adapters on the peers' route live in `bench/scenarios/guards.ts`,",
    "reference-server scenarios in `bench/scenarios/tessera.ts`). In-process verifiers are registered",
    "in `bench/inprocess/verifiers.ts`.",
    "",
  ];
  return lines.join("\n");
}

/** A warning when the floor's server was not the limit of its own runs (then req/s ratios mislead). */
function saturationWarning(results: BenchResults): string[] {
  const floorBusy = serverBusy(results.scenarios.find((row) => row.name === FLOOR_SCENARIO));
  if (floorBusy === undefined || floorBusy >= SATURATED) return [];
  const http = results.scenarios.filter((row) => row.group !== "in-process" && measured(row) !== undefined);
  const saturated = http.filter((row) => (serverBusy(row) ?? 0) >= SATURATED).length;
  return [
    "",
    `> The floor's server was busy ${Math.round(floorBusy * 100)}% of its core and ${saturated} of ${http.length} servers reached ${Math.round(SATURATED * 100)}%:`,
    "> the load generator (sharing its core with other work) was the limit of most runs, so the req/s",
    "> ratios say little about the servers. Compare the CPU columns; the targets are judged on them.",
  ];
}

/** The hand-written profile findings (bench/analysis.md), kept in the generated page. */
function readAnalysis(): string[] {
  const path = new URL("../analysis.md", import.meta.url);
  return existsSync(path) ? [readFileSync(path, "utf8").trimEnd(), ""] : [];
}

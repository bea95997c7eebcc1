// Medians over runs: robust to one disturbed run, which is all three to ten runs allow.
import type { RunResult, ScenarioResult } from "./types.js";

/**
 * Median of a non-empty list (mean of the two middle values for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
}

function medianOrNull(values: (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : median(present);
}

/**
 * Medians of throughput and of each latency percentile, taken independently across runs.
 *
 * @example
 * const summary = summarizeRuns(runs); // { opsPerSecond, p50Ms, p99Ms }
 */
export function summarizeRuns(runs: RunResult[]): NonNullable<ScenarioResult["median"]> {
  return {
    opsPerSecond: median(runs.map((run) => run.opsPerSecond)),
    p50Ms: medianOrNull(runs.map((run) => run.p50Ms)),
    p99Ms: medianOrNull(runs.map((run) => run.p99Ms)),
    cpuMicrosPerRequest: medianOrNull(runs.map(cpuMicrosPerRequest)),
  };
}

/**
 * Server CPU per response in microseconds for one run (every response counts: the server did
 * the work), or null when the CPU time was not read.
 *
 * @example
 * cpuMicrosPerRequest({ ...run, serverCpuSeconds: 0.5, totalRequests: 20000 }); // 25
 */
export function cpuMicrosPerRequest(run: RunResult): number | null {
  const cpu = run.serverCpuSeconds;
  if (cpu === null || cpu === undefined || run.totalRequests === 0) return null;
  return (cpu * 1e6) / run.totalRequests;
}

/**
 * Why a set of HTTP runs cannot be trusted (more than 1% non-2xx or socket errors), or null.
 *
 * @example
 * describeBadResponses(runs); // "1532 non-2xx, 0 errors of 90210 requests" or null
 */
export function describeBadResponses(runs: RunResult[]): string | null {
  const total = runs.reduce((sum, run) => sum + run.totalRequests, 0);
  const non2xx = runs.reduce((sum, run) => sum + run.non2xx, 0);
  const errors = runs.reduce((sum, run) => sum + run.errors, 0);
  if (total === 0) return "no request completed";
  if (non2xx + errors > total * 0.01) return `${non2xx} non-2xx, ${errors} errors of ${total} requests`;
  return null;
}

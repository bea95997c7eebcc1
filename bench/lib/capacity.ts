// Runs bench/capacity/measure.ts pinned to the server core and turns its output into result rows.
import { connect } from "node:net";
import type { CapacityJob, CapacityOutput } from "../capacity/measure.js";
import type { BenchOptions } from "./options.js";
import { spawnPinned, type CorePlan } from "./processes.js";
import { median } from "./stats.js";
import type { CapacityResult } from "./types.js";

// The same services (and overrides) as the reference server's PostgreSQL + Redis scenarios.
const POSTGRES_URL = process.env.TESSERA_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.TESSERA_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/13";

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Seconds the capacity step takes, for the budget: four throughput figures per run plus minting and set-up. */
export function estimateCapacitySeconds(options: BenchOptions): number {
  return options.runs * (options.capacitySeconds * 4 + 4) + 15;
}

/**
 * Measures the capacity figures in one child process on the server core.
 *
 * @example
 * const capacity = await runCapacity(options, planCores());
 */
export async function runCapacity(options: BenchOptions, plan: CorePlan): Promise<CapacityResult[]> {
  const [postgresUp, redisUp] = await Promise.all([reachable(POSTGRES_URL), reachable(REDIS_URL)]);
  const job: CapacityJob = {
    runs: options.runs,
    seconds: options.capacitySeconds,
    propagationSamples: options.propagationSamples,
    postgresUrl: postgresUp ? POSTGRES_URL : null,
    redisUrl: redisUp ? REDIS_URL : null,
  };
  const child = spawnPinned(plan.server, [process.execPath, "--import", "tsx", "bench/capacity/measure.ts"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2000)));
  const exit = new Promise<number | null>((resolve) => child.once("close", resolve));
  child.stdin?.end(JSON.stringify(job));
  const code = await exit;
  let output: CapacityOutput;
  try {
    output = JSON.parse(stdout.trim().split("\n").pop() ?? "") as CapacityOutput;
  } catch {
    throw new Error(`capacity measurement exited with ${code}: ${stderr}`);
  }
  if ("error" in output) throw new Error(`capacity measurement failed: ${output.error}`);
  return output.figures.map((figure) => {
    const row: CapacityResult = { ...figure };
    if (figure.values.length > 0) row.median = median(figure.values);
    return row;
  });
}

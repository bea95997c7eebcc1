// Drives bench/load/worker.ts child processes from the harness.
import type { ChildProcess } from "node:child_process";
import type { LoadJob, LoadOutput } from "../load/worker.js";
import { spawnPinned } from "./processes.js";
import type { BackgroundResult, RunResult } from "./types.js";

const WORKER = "bench/load/worker.ts";

function spawnWorker(pin: string[], job: LoadJob): { child: ChildProcess; output: Promise<LoadOutput> } {
  const child = spawnPinned(pin, [process.execPath, "--import", "tsx", WORKER], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const output = new Promise<LoadOutput>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-2000);
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as LoadOutput);
      } catch {
        reject(new Error(`load worker exited with ${code} and no result\n${stderr}`));
      }
    });
  });
  child.stdin?.end(JSON.stringify(job));
  return { child, output };
}

/**
 * Runs warm-up plus `job.runs` measured runs in one pinned worker and returns the measured runs.
 *
 * @example
 * const runs = await runMeasuredLoad(["taskset", "-c", "1"], { url, request, connections: 50, warmupSeconds: 3, runs: 3, durationSeconds: 8 });
 */
export async function runMeasuredLoad(pin: string[], job: LoadJob): Promise<RunResult[]> {
  const output = await spawnWorker(pin, job).output;
  if ("error" in output) throw new Error(`load generator failed: ${output.error}`);
  if (!("runs" in output)) throw new Error("load generator returned no runs");
  return output.runs;
}

/**
 * Starts an unmeasured load that runs until `stop()`, which returns its totals.
 *
 * @example
 * const storm = startBackgroundLoad(pin, { ...job, untilStopped: true });
 * const totals = await storm.stop();
 */
export function startBackgroundLoad(pin: string[], job: LoadJob): { stop(): Promise<BackgroundResult> } {
  const { child, output } = spawnWorker(pin, { ...job, untilStopped: true });
  return {
    async stop() {
      child.kill("SIGTERM");
      const result = await output;
      if ("error" in result) throw new Error(`background load failed: ${result.error}`);
      if (!("background" in result)) throw new Error("background load returned no totals");
      return result.background;
    },
  };
}

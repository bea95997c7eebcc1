// Drives bench/load/worker.ts child processes from the harness.
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { LoadJob, LoadOutput, LoadStarted } from "../load/worker.js";
import { spawnPinned } from "./processes.js";
import type { BackgroundResult, RunResult } from "./types.js";

const WORKER = "bench/load/worker.ts";
const STARTED_LINE = JSON.stringify({ started: true } satisfies LoadStarted);
/** How long a background load may take to start (a TypeScript start-up on a busy machine). */
const BACKGROUND_START_TIMEOUT_MS = 60_000;

/** One load-generator process answering jobs in order, one JSON line each. */
function spawnWorker(
  pin: string[],
  onStarted?: () => void,
): { child: ChildProcess; send(job: LoadJob): Promise<LoadOutput>; end(): void } {
  const child = spawnPinned(pin, [process.execPath, "--import", "tsx", WORKER], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-2000);
  });
  const waiting: { resolve(output: LoadOutput): void; reject(error: Error): void }[] = [];
  if (child.stdout === null) throw new Error("load worker stdout is not piped");
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line === STARTED_LINE) {
      onStarted?.();
      return;
    }
    const next = waiting.shift();
    if (next === undefined) return;
    try {
      next.resolve(JSON.parse(line) as LoadOutput);
    } catch {
      next.reject(new Error(`load worker printed something that is not a result: ${line.slice(0, 200)}`));
    }
  });
  child.once("close", (code) => {
    for (const pending of waiting.splice(0)) pending.reject(new Error(`load worker exited with ${code} and no result\n${stderr}`));
  });
  return {
    child,
    send(job) {
      return new Promise<LoadOutput>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin?.write(JSON.stringify(job) + "\n");
      });
    },
    end: () => child.stdin?.end(),
  };
}

/** A load generator kept for a whole bench run: each `run()` is warm-up plus measured runs. */
export interface LoadGenerator {
  run(job: LoadJob): Promise<RunResult[]>;
  close(): void;
}

/**
 * Starts one pinned load-generator process that serves every measured run of the bench
 * (spawning one per run would cost a TypeScript start-up each time).
 *
 * @example
 * const load = startLoadGenerator(["taskset", "-c", "1"]);
 * const runs = await load.run({ url, request, connections: 50, warmupSeconds: 0, runs: 1, durationSeconds: 6 });
 * load.close();
 */
export function startLoadGenerator(pin: string[]): LoadGenerator {
  const worker = spawnWorker(pin);
  return {
    async run(job) {
      const output = await worker.send(job);
      if ("error" in output) throw new Error(`load generator failed: ${output.error}`);
      if (!("runs" in output)) throw new Error("load generator returned no runs");
      return output.runs;
    },
    close: () => worker.end(),
  };
}

/**
 * Starts an unmeasured load that runs until `stop()`, which returns its totals; `started`
 * resolves once the load is running.
 *
 * @example
 * const storm = startBackgroundLoad(pin, job);
 * await storm.started;
 * const totals = await storm.stop();
 */
export function startBackgroundLoad(pin: string[], job: LoadJob): { started: Promise<void>; stop(): Promise<BackgroundResult> } {
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    setTimeout(() => reject(new Error(`background load did not start within ${BACKGROUND_START_TIMEOUT_MS} ms`)), BACKGROUND_START_TIMEOUT_MS).unref();
  });
  const worker = spawnWorker(pin, () => markStarted());
  const output = worker.send({ ...job, untilStopped: true });
  // The result arrives when stop() asks for it; until then nobody may see it reject unhandled.
  output.catch(() => undefined);
  started.catch(() => undefined);
  worker.end();
  return {
    started,
    async stop() {
      worker.child.kill("SIGTERM");
      const result = await output;
      if ("error" in result) throw new Error(`background load failed: ${result.error}`);
      if (!("background" in result)) throw new Error("background load returned no totals");
      return result.background;
    },
  };
}

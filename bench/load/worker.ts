// Load generator child process: reads LoadJobs as JSON lines on stdin, drives autocannon,
// prints one JSON result line per job on stdout. Runs in its own process so it can sit on its own core.
import { createInterface } from "node:readline";
import autocannon, { type AutocannonOptions, type AutocannonRequest, type AutocannonResult } from "autocannon";
import type { BackgroundResult, RequestSpec, RunResult } from "../lib/types.js";

export interface LoadJob {
  url: string;
  request: RequestSpec;
  connections: number;
  warmupSeconds: number;
  runs: number;
  durationSeconds: number;
  /** Background mode: one long run that ends on SIGTERM and reports its totals. */
  untilStopped?: boolean;
  name?: string;
}

export type LoadOutput = { runs: RunResult[] } | { background: BackgroundResult } | { error: string };

/** Printed by a background job once its load is running, before its result. */
export interface LoadStarted {
  started: true;
}

function buildOptions(job: LoadJob, durationSeconds: number): AutocannonOptions {
  const { method, path, headers = {}, body, rotateBearerTokens } = job.request;
  const base: AutocannonRequest = { method, path, headers };
  if (body !== undefined) base.body = body;
  const tokens = rotateBearerTokens ?? [];
  let next = 0;
  const request: AutocannonRequest =
    tokens.length === 0
      ? base
      : {
          ...base,
          // One counter for all connections: each request takes the next token, so no
          // two consecutive requests (from any connection) present the same one.
          setupRequest: (current) => {
            const token = tokens[next++ % tokens.length] ?? "";
            return { ...current, headers: { ...headers, authorization: `Bearer ${token}` } };
          },
        };
  return {
    url: job.url,
    connections: job.connections,
    pipelining: 1,
    duration: durationSeconds,
    timeout: 10,
    requests: [request],
  };
}

function runOnce(
  options: AutocannonOptions,
  onInstance?: (stop: () => void) => void,
): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => {
      if (error !== null) reject(error);
      else resolve(result);
    });
    onInstance?.(() => instance.stop());
  });
}

function toRun(result: AutocannonResult): RunResult {
  const ok = result["2xx"];
  return {
    opsPerSecond: result.duration > 0 ? ok / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    totalRequests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    durationSeconds: result.duration,
  };
}

async function runJob(job: LoadJob): Promise<LoadOutput> {
  if (job.untilStopped === true) {
    // Long enough to outlast any measured phase; SIGTERM ends it early with totals. The
    // harness waits for the "started" line before it measures anything next to this load.
    const result = await runOnce(buildOptions(job, 3600), (stop) => {
      if (stopRequested) stop();
      else stopBackground = stop;
      process.stdout.write(JSON.stringify({ started: true }) + "\n");
    });
    const run = toRun(result);
    return {
      background: {
        name: job.name ?? "background",
        opsPerSecond: run.opsPerSecond,
        totalRequests: run.totalRequests,
        non2xx: run.non2xx,
        errors: run.errors,
      },
    };
  }
  if (job.warmupSeconds > 0) await runOnce(buildOptions(job, job.warmupSeconds));
  const runs: RunResult[] = [];
  for (let index = 0; index < job.runs; index++) {
    runs.push(toRun(await runOnce(buildOptions(job, job.durationSeconds))));
  }
  return { runs };
}

// A SIGTERM that arrives before the background load has started must still end it (with totals).
let stopRequested = false;
let stopBackground: (() => void) | undefined;
process.on("SIGTERM", () => {
  stopRequested = true;
  stopBackground?.();
});

// Jobs arrive one JSON line each; a background job (untilStopped) is the only job of its worker.
// Measured jobs are answered one result line each, so one worker serves a whole bench run.
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  let output: LoadOutput;
  try {
    output = await runJob(JSON.parse(line) as LoadJob);
  } catch (error) {
    output = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(JSON.stringify(output) + "\n");
}

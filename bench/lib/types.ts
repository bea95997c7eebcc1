// Shapes shared by the bench harness, its scenarios and its result files.

/** Which table section a scenario belongs to; ratios are computed against `floor` and the fastify peer. */
export type ScenarioGroup = "floor" | "peer" | "tessera" | "in-process";

/** One HTTP request as the load generator should send it. Plain data: it crosses a process boundary. */
export interface RequestSpec {
  method: "GET" | "POST" | "DELETE" | "PATCH" | "PUT";
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * When set, each request carries `Authorization: Bearer <token>` with the next
   * token of this list (one counter shared by every connection), so consecutive
   * requests never reuse a token until the list wraps around.
   */
  rotateBearerTokens?: string[];
}

/** Load run next to the measured one (for example a login storm); it is not measured for the table. */
export interface BackgroundLoad {
  /** Label for logs and the result file. */
  name: string;
  request: RequestSpec;
  connections: number;
}

/** A server under test that is up and reachable. */
export interface StartedTarget {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Stops the server and removes what `start()` created (temporary databases, files). */
  stop(): Promise<void>;
}

/** Context handed to scenarios: what the harness decided once for the whole run. */
export interface ScenarioContext {
  /** HS256 secret the harness used to mint `peerToken`; peers verify with it. */
  peerSecret: string;
  /** HS256 Bearer token valid for one hour, shared by every peer. */
  peerToken: string;
  /** Number of distinct tokens a "cold" scenario should rotate over. */
  coldTokenCount: number;
  /** Command prefix that pins a process to the server core (`[]` when pinning is unavailable). */
  serverPin: string[];
  quick: boolean;
}

/**
 * One HTTP benchmark. Register it in `bench/scenarios/index.ts` (Tessera ones in
 * `bench/scenarios/tessera.ts`).
 *
 * @example
 * const floor: HttpScenario = {
 *   name: "node:http floor",
 *   group: "floor",
 *   start: (ctx) => startNodeServer({ script: "bench/servers/floor.ts", ctx }),
 *   request: { method: "GET", path: "/" },
 * };
 */
export interface HttpScenario {
  name: string;
  group: Exclude<ScenarioGroup, "in-process">;
  /** One line for the docs table: what the route does. */
  description: string;
  /** Returns why the scenario cannot run here (then it is reported as skipped), or `null` when it can. */
  unavailableReason?(ctx: ScenarioContext): Promise<string | null>;
  start(ctx: ScenarioContext): Promise<StartedTarget>;
  /** A fixed request, or a factory run after `start()` (to log in, mint tokens...). */
  request: RequestSpec | ((target: StartedTarget, ctx: ScenarioContext) => Promise<RequestSpec>);
  /** Extra load to keep running while the measured runs happen. */
  background?: (target: StartedTarget, ctx: ScenarioContext) => Promise<BackgroundLoad>;
}

/** Figures of one measured run. Latencies in milliseconds. */
export interface RunResult {
  /** Successful (2xx) responses per second for HTTP, verifications per second in process. */
  opsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  totalRequests: number;
  non2xx: number;
  errors: number;
  durationSeconds: number;
}

export interface BackgroundResult {
  name: string;
  opsPerSecond: number;
  totalRequests: number;
  non2xx: number;
  errors: number;
}

export type ScenarioStatus = "ok" | "invalid" | "skipped" | "failed";

export interface ScenarioResult {
  name: string;
  group: ScenarioGroup;
  description: string;
  unit: "req/s" | "verify/s";
  status: ScenarioStatus;
  /** Why it was skipped, failed or is invalid; free text without secrets. */
  note?: string;
  runs: RunResult[];
  /** Medians across `runs`; absent when nothing was measured. */
  median?: { opsPerSecond: number; p50Ms: number | null; p99Ms: number | null };
  background?: BackgroundResult;
  /** Algorithm for in-process verifier rows. */
  alg?: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  release: string;
  arch: string;
  nodeVersion: string;
  /** Other work on the machine makes figures noisy; recorded so a reader can tell. */
  loadAverage1m: number;
}

export interface BenchSettings {
  mode: "quick" | "full";
  runs: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Seconds per measured in-process run. */
  verifySeconds: number;
  /** Distinct tokens a "cold" scenario rotates over. */
  coldTokenCount: number;
  budgetSeconds: number;
  /** How the processes were placed on cores, for the reader of the results. */
  pinning: string;
}

/** Content of `bench/results/<timestamp>.json`. */
export interface BenchResults {
  schemaVersion: 1;
  startedAt: string;
  finishedAt: string;
  settings: BenchSettings;
  machine: MachineInfo;
  versions: Record<string, string>;
  scenarios: ScenarioResult[];
}

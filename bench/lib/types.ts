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
  /** The server's process id, so the harness can read the CPU time it spent (Linux /proc). */
  pid?: number;
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
  /** Name of the scenario this one is compared with (`x peer` column), e.g. a guard's framework peer. */
  peer?: string;
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
  /**
   * CPU seconds the server process spent during the run (user + system, from /proc), or null
   * where that cannot be read. Divided by the responses it is the server's cost per request,
   * which the load generator's own limits and other work on the machine barely move.
   */
  serverCpuSeconds?: number | null;
}

/** Background totals, summed over the measured runs it accompanied. */
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
  /** Name of the row this one is compared with in the `x peer` column. */
  peer?: string;
  unit: "req/s" | "verify/s";
  status: ScenarioStatus;
  /** Why it was skipped, failed or is invalid; free text without secrets. */
  note?: string;
  runs: RunResult[];
  /** Medians across `runs`; absent when nothing was measured. `cpuMicrosPerRequest`: server CPU per response. */
  median?: { opsPerSecond: number; p50Ms: number | null; p99Ms: number | null; cpuMicrosPerRequest?: number | null };
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
  /** Seconds per capacity run (0 when capacity was not measured). */
  capacitySeconds: number;
  /** How the processes were placed on cores, for the reader of the results. */
  pinning: string;
}

/** A capacity figure (bench/capacity/measure.ts): throughput per run, or latency percentiles. */
export interface CapacityResult {
  name: string;
  unit: string;
  /** One value per run (throughput figures); the median is what the tables show. */
  values: number[];
  median?: number;
  /** Latency figures: percentiles over every sample, in ms. */
  percentiles?: { p50: number; p99: number; max: number; samples: number };
  note?: string;
  skipped?: string;
}

/** Content of `bench/results/<timestamp>.json`. */
export interface BenchResults {
  /** 2 added `peer`, `capacity` and interleaved rounds. */
  schemaVersion: 2;
  startedAt: string;
  finishedAt: string;
  settings: BenchSettings;
  machine: MachineInfo;
  versions: Record<string, string>;
  scenarios: ScenarioResult[];
  /** Per-core capacity in operators' units; absent when not measured. */
  capacity?: CapacityResult[];
}

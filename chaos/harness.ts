// What every chaos scenario is built from: `tessera serve` processes it can kill -9 or SIGTERM
// and restart on the same database and port, a JSON client over real sockets, and the figures
// and verdict each scenario reports.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { callJson, type CallOptions, type Reply } from "../test/support/json-client.js";
import { createRandom } from "../test/support/random.js";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BIN = fileURLToPath(new URL("../bin/tessera.mjs", import.meta.url));
export const PASSWORD = "correct horse battery staple";

/** What one scenario found: its checks, and the figures it measured. */
export interface ScenarioReport {
  name: string;
  checks: { what: string; ok: boolean; detail?: string }[];
  figures: Record<string, string | number>;
}

/** Collects a scenario's checks and figures. */
export class Report {
  readonly report: ScenarioReport;
  constructor(name: string) {
    this.report = { name, checks: [], figures: {} };
  }
  check(what: string, ok: boolean, detail?: string): boolean {
    this.report.checks.push({ what, ok, ...(detail === undefined ? {} : { detail }) });
    return ok;
  }
  figure(name: string, value: string | number): void {
    this.report.figures[name] = value;
  }
  get passed(): boolean {
    return this.report.checks.every((check) => check.ok);
  }
}

/** A free loopback port (the server restarts on the same one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A `tessera serve` process on a fixed port. */
export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  pid: number;
  isRunning(): boolean;
  output(): string;
  /** SIGKILL: no shutdown, no flush. */
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code (null if it had to be killed after `graceMs`). */
  terminate(graceMs?: number): Promise<number | null>;
  /** Peak resident set size seen by {@link sampleRss}, in bytes. */
}

/**
 * Starts `tessera serve` on `port` with `env` (on top of quiet defaults) and resolves once it
 * listens. Its own TESSERA_* variables of the caller are not inherited.
 */
export async function startServer(port: number, env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("TESSERA_") && key !== "PORT" && key !== "HOST") inherited[key] = value;
  }
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd: ROOT,
    env: {
      ...inherited,
      HOST: "127.0.0.1",
      PORT: String(port),
      TESSERA_LOG_LEVEL: "warn",
      TESSERA_ISSUER: "http://tessera.chaos",
      TESSERA_LOGIN_LIMIT_IP: "off",
      TESSERA_SIGNUP_LIMIT_IP: "off",
      TESSERA_TOKEN_ENDPOINT_LIMIT_IP: "off",
      TESSERA_BAD_TOKEN_LIMIT_IP: "off",
      TESSERA_REQUEST_LIMIT_TOKEN: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.setEncoding("utf8").on("data", keep);
  child.stderr.setEncoding("utf8").on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`tessera serve exited before listening: ${output}`);
    if (/tessera listening on/.test(output)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`tessera serve did not listen within ${timeoutMs} ms: ${output}`);
    }
    await sleep(20);
  }
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    port,
    child,
    pid: child.pid ?? 0,
    isRunning,
    output: () => output,
    async kill9() {
      if (!isRunning()) return;
      child.kill("SIGKILL");
      await exited;
    },
    async terminate(graceMs = 10_000) {
      if (!isRunning()) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { CallOptions, Reply };

/** One JSON request. Rejects only when no HTTP answer arrives (reset, refused, timeout). */
export function call(url: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  return callJson(url, method, path, options);
}

/** The value below which `fraction` of `values` lie (nearest rank). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? 0;
}

/** A seeded PRNG (mulberry32), so a failing run can be repeated with its seed. */
export const seededRandom = createRandom;

/** Polls `probe` until true; resolves to the ms it took, or null after `timeoutMs`. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 20): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started <= timeoutMs) {
    try {
      if (await probe()) return Date.now() - started;
    } catch {
      // not yet
    }
    await sleep(intervalMs);
  }
  return null;
}

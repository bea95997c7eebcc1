// Child processes of the bench: servers under test and load generators, each pinned to its own core when possible.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { StartedTarget } from "./types.js";

/** Repository root, so children run with the same cwd whatever the caller's. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CorePlan {
  /** Command prefix for the server process (and in-process verifier runs). */
  server: string[];
  /** Command prefix for load generators. */
  load: string[];
  description: string;
}

/**
 * Decides where servers and load generators run: `taskset -c 0` for servers,
 * `taskset -c 1` for load, so the generator never steals the server's core.
 *
 * @example
 * const plan = planCores(); // { server: ["taskset", "-c", "0"], load: ["taskset", "-c", "1"], ... }
 */
export function planCores(): CorePlan {
  const cores = availableParallelism();
  if (cores < 2) {
    return { server: [], load: [], description: "unpinned (one core: server and load generator share it)" };
  }
  const probe = spawnSync("taskset", ["-c", "1", "true"], { stdio: "ignore" });
  if (probe.error !== undefined || probe.status !== 0) {
    return { server: [], load: [], description: "unpinned (taskset not usable here)" };
  }
  return {
    server: ["taskset", "-c", "0"],
    load: ["taskset", "-c", "1"],
    description: `server on core 0, load generator on core 1 (taskset; ${cores} cores)`,
  };
}

/** Spawns `prefix + command`, i.e. the command pinned by the plan's prefix. */
export function spawnPinned(
  prefix: string[],
  command: string[],
  options: { env?: NodeJS.ProcessEnv; stdio?: ("pipe" | "inherit" | "ignore")[] } = {},
): ChildProcess {
  const full = [...prefix, ...command];
  const [file, ...args] = full;
  if (file === undefined) throw new Error("spawnPinned needs a command");
  return spawn(file, args, {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
    stdio: options.stdio ?? ["ignore", "pipe", "pipe"],
  });
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null where
 * there is no /proc (not Linux) or the process is gone. `taskset` execs its command, so the
 * pid of a pinned child is the server's own.
 *
 * @example
 * const before = readProcessCpuSeconds(target.pid);
 */
export function readProcessCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    if (!Number.isFinite(user) || !Number.isFinite(system)) return null;
    return (user + system) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

// USER_HZ: 100 on every Linux architecture Node supports (the kernel's exported tick, not HZ).
const CLOCK_TICKS_PER_SECOND = 100;

/** Asks the kernel for a free loopback port (for servers that take `PORT` instead of announcing one). */
export async function findFreePort(): Promise<number> {
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

/** Keeps the last lines of a stream so a failed start can say why without dumping everything. */
function collectTail(child: ChildProcess, maxLines = 20): () => string {
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      lines.push(line.slice(0, 300));
      if (lines.length > maxLines) lines.shift();
    }
  };
  child.stderr?.on("data", keep);
  return () => lines.join("\n");
}

/**
 * Stops a child: SIGTERM, then SIGKILL after `graceMs`.
 *
 * @example
 * await stopChild(child);
 */
export async function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts one of `bench/servers/*.ts` pinned to the server core and waits for
 * its `{"ready":true,"port":N}` line on stdout.
 *
 * @example
 * const target = await startAnnouncingServer({ script: "bench/servers/floor.ts", pin: ["taskset", "-c", "0"] });
 */
export async function startAnnouncingServer(options: {
  script: string;
  pin: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<StartedTarget> {
  const child = spawnPinned(options.pin, [process.execPath, "--import", "tsx", options.script], {
    env: { ...process.env, NODE_ENV: "production", ...options.env },
  });
  const tail = collectTail(child);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${options.script} did not announce a port within ${options.timeoutMs ?? 15000} ms\n${tail()}`));
    }, options.timeoutMs ?? 15000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.script} exited early (${signal ?? code})\n${tail()}`));
    });
    if (child.stdout === null) throw new Error("child stdout is not piped");
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      try {
        const message = JSON.parse(line) as { ready?: unknown; port?: unknown };
        if (message.ready === true && typeof message.port === "number") {
          clearTimeout(timer);
          resolve(message.port);
        }
      } catch {
        // Not our announcement: servers may print other lines.
      }
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  // Drain stdout so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child), ...(child.pid === undefined ? {} : { pid: child.pid }) };
}

/**
 * Starts any command that takes its port from the environment, then polls
 * `healthPath` until it answers 200.
 *
 * @example
 * const target = await startPolledServer({ command: ["node", "bin/tessera.mjs", "serve"], pin: [], env: {}, port: 4000 });
 */
export async function startPolledServer(options: {
  command: string[];
  pin: string[];
  env: Record<string, string>;
  port: number;
  healthPath?: string;
  timeoutMs?: number;
  cleanup?: () => Promise<void>;
}): Promise<StartedTarget> {
  const child = spawnPinned(options.pin, options.command, { env: { ...process.env, ...options.env } });
  const tail = collectTail(child);
  child.stdout?.resume();
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30000);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await options.cleanup?.();
  };
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${options.command.join(" ")} exited before it was healthy\n${tail()}`);
    }
    try {
      const response = await fetch(url + (options.healthPath ?? "/healthz"));
      await response.arrayBuffer();
      if (response.ok) return { url, stop, ...(child.pid === undefined ? {} : { pid: child.pid }) };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.command.join(" ")} was not healthy within ${options.timeoutMs ?? 30000} ms\n${tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Real `tessera serve` processes for the scale-out tests: each listens on its own loopback
// port (PORT=0, parsed from the "listening" line), and every test kills what it started.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = fileURLToPath(new URL("../../bin/tessera.mjs", import.meta.url));

/** A running `tessera serve` child process. */
export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** True while the process runs. */
  isRunning(): boolean;
  /** What it wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

/** Variables every test instance gets unless the test overrides them. */
export function baseInstanceEnv(): Record<string, string> {
  return {
    HOST: "127.0.0.1",
    PORT: "0",
    TESSERA_LOG_LEVEL: "silent",
    // Every instance must sign and check the same `iss`; the default names the instance's port.
    TESSERA_ISSUER: "http://tessera.test",
    // Tests log in often from one address; the limit tests set their own.
    TESSERA_LOGIN_LIMIT_IP: "10000/1m",
  };
}

/**
 * Spawns `node bin/tessera.mjs serve` with `env` on top of the test defaults, and resolves
 * once it prints its URL. Rejects (and kills it) when it exits first or takes longer than
 * `timeoutMs`.
 *
 * @example
 * const a = await startInstance("a", { TESSERA_DATABASE_URL: pgUrl, TESSERA_REDIS_URL: redisUrl });
 * await fetch(`${a.url}/healthz`);
 * await a.stop();
 */
export async function startInstance(name: string, env: Record<string, string>, timeoutMs = 30_000): Promise<Instance> {
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A developer's own TESSERA_* settings must not leak into the instance under test.
    if (value !== undefined && !key.startsWith("TESSERA_") && key !== "PORT" && key !== "HOST") inherited[key] = value;
  }
  const child = spawn(process.execPath, [BIN, "serve"], {
    cwd: ROOT,
    env: { ...inherited, ...baseInstanceEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const stop = async (graceMs = 5_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(0);
      reject(new Error(`instance ${name} did not start within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const match = /tessera listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited with ${String(code)} before listening; stderr: ${stderr}`));
    });
  });

  return {
    name,
    url,
    child,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    stderr: () => stderr,
    stop,
  };
}

/** Stops every instance, in parallel, ignoring ones already gone. */
export async function stopInstances(instances: readonly Instance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.stop()));
}

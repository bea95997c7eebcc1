// Shared Redis plumbing for tests: where the shared test Redis is, whether it answers, a key
// prefix per run (cleaned up after), and private redis-server processes that outage tests may
// kill and restart without disturbing anyone else.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { test } from "node:test";
import { Redis } from "ioredis";

/** The machine's local Redis. */
export const DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379";

/** `TESSERA_TEST_REDIS_URL`, or the local default. */
export function readTestRedisUrl(): string {
  return process.env.TESSERA_TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** A short-lived client that does not retry: for set-up, checks and cleanup. */
async function withClient<T>(url: string, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await run(client);
  } finally {
    client.disconnect();
  }
}

/** Whether a Redis answers PING at `url`. */
export async function isRedisReachable(url: string): Promise<boolean> {
  try {
    return (await withClient(url, (client) => client.ping())) === "PONG";
  } catch {
    return false;
  }
}

function registerUnavailable(title: string, message: string): void {
  if (process.env.CI === "true") {
    void test(title, () => {
      throw new Error(message);
    });
  } else {
    void test(title, { skip: message }, () => undefined);
  }
}

/**
 * Resolves to the test Redis URL when Redis answers. Otherwise registers a test that explains
 * why and resolves to null: that test FAILS when CI=true (CI must not silently skip a backend)
 * and is skipped elsewhere.
 *
 * @example
 * const redisUrl = await requireTestRedis();
 * if (redisUrl !== null) describe("feed", () => { ... });
 */
export async function requireTestRedis(): Promise<string | null> {
  const url = readTestRedisUrl();
  if (await isRedisReachable(url)) return url;
  registerUnavailable("Redis is reachable", `Redis not reachable at ${redactUrl(url)}: set TESSERA_TEST_REDIS_URL`);
  return null;
}

/** A key prefix no other run will pick. */
export function createTestKeyPrefix(): string {
  return `tessera_test_${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK); returns how many. */
export async function deleteKeysByPrefix(url: string, prefix: string): Promise<number> {
  if (!/^tessera_test_[0-9a-f]+:$/.test(prefix)) throw new Error("refusing to delete keys under a prefix tests did not create");
  return withClient(url, async (client) => {
    let cursor = "0";
    let deleted = 0;
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 200);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== "0");
    return deleted;
  });
}

/** Lists the keys under `prefix`. */
export async function listKeysByPrefix(url: string, prefix: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 200);
      cursor = next;
      found.push(...keys);
    } while (cursor !== "0");
    return [...new Set(found)].sort();
  });
}

/** A free TCP port on loopback (free now; a test binds it right away). */
export function findFreePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server child process of this test, on its own port. */
export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: an abrupt outage, no goodbye to clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) it: sockets stay open but nothing answers. */
  pause(): void;
  resume(): void;
  /** Kills it for good. */
  stop(): Promise<void>;
}

function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * Resolves to a starter of private redis-servers when `redis-server` is installed; otherwise
 * registers a failing (CI) or skipped (elsewhere) test and resolves to null.
 *
 * @example
 * const startRedis = await requirePrivateRedis();
 * if (startRedis !== null) test("outage", async () => { const redis = await startRedis(); await redis.kill(); });
 */
export async function requirePrivateRedis(): Promise<((options?: { port?: number }) => Promise<PrivateRedis>) | null> {
  if (hasRedisServer()) return startPrivateRedis;
  registerUnavailable("redis-server is installed", "redis-server is not on PATH: outage tests need it (apt-get install redis-server)");
  return null;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isRedisReachable(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`private redis-server did not answer at ${url} within ${timeoutMs} ms`);
}

/** Starts a redis-server with no persistence on `port` (default: a free loopback port). */
export async function startPrivateRedis(options: { port?: number } = {}): Promise<PrivateRedis> {
  const port = options.port ?? (await findFreePort());
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const launch = async (): Promise<void> => {
    const started = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"],
      { stdio: "ignore" },
    );
    child = started;
    await waitForPing(url, 10_000);
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGKILL");
    await exited;
  };
  await launch();
  return {
    url,
    port,
    kill,
    start: launch,
    pause: () => {
      (child as ChildProcess | null)?.kill("SIGSTOP");
    },
    resume: () => {
      (child as ChildProcess | null)?.kill("SIGCONT");
    },
    stop: kill,
  };
}

/**
 * Polls `probe` every `intervalMs` until it returns true; resolves to the elapsed ms, or throws
 * after `timeoutMs` with `what` in the message.
 */
export async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 10): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

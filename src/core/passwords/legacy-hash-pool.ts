import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { BackendUnavailableError } from "../errors.js";
import type { LegacyHashRequest, LegacyHashResponse, LegacyHashScheme } from "./legacy-hash-messages.js";
import type { SchemeVerification } from "./scheme-verification.js";

interface PendingVerification {
  request: LegacyHashRequest;
  resolve(outcome: SchemeVerification): void;
  reject(error: unknown): void;
}

interface PoolWorker {
  worker: Worker;
  running: PendingVerification | null;
}

/** A verification the scheme's primitive threw on (e.g. bcryptjs refusing its input): an unusable hash. */
export class LegacyHashRejectedError extends Error {
  constructor(readonly primitiveError: string) {
    super(`legacy hash verification failed (${primitiveError})`);
    this.name = "LegacyHashRejectedError";
  }
}

/**
 * The parent's Node options minus those that only make sense for a main script: a worker
 * inherits them, and `--input-type` (with `-e`/`-p` code) stops a file-based worker from starting.
 */
function workerExecArgv(): string[] {
  const kept: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (["-e", "--eval", "-p", "--print", "--input-type"].includes(arg)) i++;
    else if (!arg.startsWith("--input-type=") && !arg.startsWith("--eval=") && !arg.startsWith("--print=")) kept.push(arg);
  }
  return kept;
}

function startWorker(): Worker {
  const entry = new URL(`./legacy-hash-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);
  if (entry.pathname.endsWith(".ts")) {
    // Running from the TypeScript sources through tsx (tests, `npm start` in a checkout): on
    // Node 20 a worker does not inherit tsx's loader, so the worker loads tsx itself. The
    // published package runs the compiled .js directly.
    const href = JSON.stringify(entry.href);
    return new Worker(`import("tsx/esm/api").then(({ tsImport }) => tsImport(${href}, ${href}))`, { eval: true, execArgv: workerExecArgv() });
  }
  return new Worker(entry, { execArgv: workerExecArgv() });
}

/**
 * A small pool of worker threads for the password schemes written in JavaScript (bcrypt via
 * bcryptjs, SHA-crypt): their 0.1-2 s of CPU per verification runs off the event loop, like
 * argon2's and scrypt's native work on libuv's threads. At most one thread per core; threads
 * start on demand and, while idle, do not keep the process alive. The hasher's concurrency
 * limit bounds how many verifications wait here.
 */
class LegacyHashPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: PendingVerification[] = [];
  private nextId = 1;

  constructor(private readonly maxWorkers: number) {}

  verify(scheme: LegacyHashScheme, hash: string, password: string): Promise<SchemeVerification> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, scheme, hash, password }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.workers.find((entry) => entry.running === null) ?? this.spawn();
      if (!idle) return;
      const task = this.queue.shift()!;
      idle.running = task;
      idle.worker.ref();
      idle.worker.postMessage(task.request);
    }
  }

  private spawn(): PoolWorker | undefined {
    if (this.workers.length >= this.maxWorkers) return undefined;
    const entry: PoolWorker = { worker: startWorker(), running: null };
    entry.worker.on("message", (response: LegacyHashResponse) => {
      const task = entry.running;
      if (!task || task.request.id !== response.id) return;
      entry.running = null;
      entry.worker.unref();
      if ("outcome" in response) task.resolve(response.outcome);
      else task.reject(new LegacyHashRejectedError(response.failure));
      this.dispatch();
    });
    const retire = (cause: unknown) => {
      const index = this.workers.indexOf(entry);
      if (index === -1) return;
      this.workers.splice(index, 1);
      entry.running?.reject(new BackendUnavailableError("password hashing", { cause }));
      entry.running = null;
      this.dispatch();
    };
    entry.worker.on("error", retire);
    entry.worker.on("exit", (code) => retire(new Error(`legacy hash worker exited with code ${code}`)));
    this.workers.push(entry);
    return entry;
  }
}

let sharedPool: LegacyHashPool | undefined;

/**
 * Verifies a bcrypt or SHA-crypt hash on a worker thread. Resolves to the scheme's outcome;
 * rejects with `LegacyHashRejectedError` when the primitive refused the input, and with
 * `BackendUnavailableError("password hashing")` when a worker could not run it.
 *
 * @example
 * await verifyLegacyHash("bcrypt", "$2b$12$...", password); // "match" | "mismatch" | "malformed"
 */
export function verifyLegacyHash(scheme: LegacyHashScheme, hash: string, password: string): Promise<SchemeVerification> {
  sharedPool ??= new LegacyHashPool(Math.max(1, availableParallelism()));
  return sharedPool.verify(scheme, hash, password);
}

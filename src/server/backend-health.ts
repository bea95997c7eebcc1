import type { FastifyBaseLogger } from "fastify";
import type { ReadinessCheck } from "./context.js";
import type { ServerMetrics } from "./metrics.js";

/** How often each backend is probed (its readiness check), up or down. */
export const BACKEND_PROBE_INTERVAL_MS = 1_000;
/** A probe that has not answered by then counts as a failure. */
const PROBE_TIMEOUT_MS = 2_000;

interface BackendState {
  check: ReadinessCheck;
  /** When it went down (epoch ms), or null while up. */
  downSince: number | null;
  probing: boolean;
}

/**
 * What operators see of an outage: each backend's down and up transitions logged once (the up
 * line with how long it was down), and the requests it failed counted in
 * `tessera_backend_failures_total{backend}` instead of a log line each; `tessera_backend_up`
 * says which are up now. A backend is marked down by the first request it fails or by its
 * probe, and up again only by its probe (its readiness check, run every second), so a Redis
 * outage that no request notices (the limits fall back to memory) is logged too.
 *
 * @example
 * const health = new BackendHealth({ checks: context.readiness, log: app.log, metrics });
 * health.start();
 */
export class BackendHealth {
  private readonly states = new Map<string, BackendState>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: { checks: readonly ReadinessCheck[]; log: FastifyBaseLogger; metrics: ServerMetrics; now?: () => number }) {
    for (const check of options.checks) {
      this.states.set(check.name, { check, downSince: null, probing: false });
      options.metrics.backendUp.set({ backend: check.name }, 1);
    }
  }

  /** Probes every backend once a second until {@link stop}. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      for (const state of this.states.values()) void this.probe(state);
    }, BACKEND_PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** A request failed because `backend` did not answer: counted, and the backend marked down. */
  requestFailed(backend: string): void {
    this.options.metrics.backendFailures.inc({ backend });
    const state = this.states.get(backend);
    if (state !== undefined) this.markDown(state);
  }

  /** Whether `backend` is currently considered up (unknown backends are). */
  isUp(backend: string): boolean {
    return this.states.get(backend)?.downSince == null;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async probe(state: BackendState): Promise<void> {
    if (state.probing) return;
    state.probing = true;
    try {
      await withTimeout(state.check.check(), PROBE_TIMEOUT_MS);
      this.markUp(state);
    } catch {
      this.markDown(state);
    } finally {
      state.probing = false;
    }
  }

  private markDown(state: BackendState): void {
    if (state.downSince !== null) return;
    state.downSince = this.now();
    this.options.metrics.backendUp.set({ backend: state.check.name }, 0);
    this.options.log.warn({ backend: state.check.name, event: "backend_down" }, `${state.check.name} is unavailable`);
  }

  private markUp(state: BackendState): void {
    if (state.downSince === null) return;
    const downtimeMs = Math.max(0, this.now() - state.downSince);
    state.downSince = null;
    this.options.metrics.backendUp.set({ backend: state.check.name }, 1);
    this.options.log.info(
      { backend: state.check.name, event: "backend_up", downtime_ms: downtimeMs },
      `${state.check.name} is available again after ${(downtimeMs / 1000).toFixed(1)} s`,
    );
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

import { Counter, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { RequestMetrics } from "./request-metrics.js";

/** The server's Prometheus metrics, on a registry of its own (several apps may share a process in tests). */
export class ServerMetrics {
  readonly registry = new Registry();
  /**
   * `tessera_http_requests_total` and `tessera_http_request_duration_seconds`, recorded once
   * per request by `recordRequest`: plain counts, formatted by the registry at scrape time.
   */
  private readonly perRequest = registerRequestMetrics(this.registry);
  /** Successful authentications since the last scrape, added to `authOutcomes` when it is read. */
  private pendingAuthOk = 0;
  readonly authOutcomes: Counter<"outcome"> = new Counter({
    name: "tessera_auth_outcomes_total",
    help: "Authentication attempts by outcome code (ok, token_expired, credentials_invalid, ...)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
    // Every guarded request succeeds or not; the common case is counted in a plain number
    // (Counter.inc hashes its labels on every call) and folded in here, at scrape time.
    collect: () => this.flushAuthOk(),
  });
  readonly tokensIssued = new Counter({
    name: "tessera_tokens_issued_total",
    help: "Tokens issued by kind",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly tokensRevoked = new Counter({
    name: "tessera_tokens_revoked_total",
    help: "Revocations by kind (access_token, session, personal_access_token, user)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: "tessera_rate_limit_hits_total",
    help: "Requests refused by a rate limit",
    labelNames: ["limit"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "tessera_" });
  }

  /** Counts one successful authentication of a guarded request (`outcome="ok"`). */
  recordAuthOk(): void {
    this.pendingAuthOk += 1;
  }

  private flushAuthOk(): void {
    if (this.pendingAuthOk === 0) return;
    const count = this.pendingAuthOk;
    this.pendingAuthOk = 0;
    this.authOutcomes.inc({ outcome: "ok" }, count);
  }

  /** Counts one finished request and its latency. */
  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.perRequest.record(method, route, status, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Counts one login attempt's outcome (and, for a success, the pair it issued). */
  recordLogin(outcome: { ok: true } | { ok: false; code: string; limit?: string }): void {
    if (outcome.ok) {
      this.recordAuthOk();
      this.tokensIssued.inc({ kind: "access_token" });
      this.tokensIssued.inc({ kind: "refresh_token" });
    } else if (outcome.code === "rate_limited") {
      this.rateLimited.inc({ limit: outcome.limit ?? "login" });
    } else if (outcome.code === "credentials_invalid") {
      this.authOutcomes.inc({ outcome: "credentials_invalid" });
    }
  }
}

function registerRequestMetrics(registry: Registry): RequestMetrics {
  const metrics = new RequestMetrics();
  // Registered first, so they print where the prom-client Counter and Histogram they replace did.
  registry.registerMetric(metrics.requestsMetric as unknown as Metric);
  registry.registerMetric(metrics.latencyMetric as unknown as Metric);
  return metrics;
}

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
  readonly authOutcomes = new Counter({
    name: "tessera_auth_outcomes_total",
    help: "Authentication attempts by outcome code (ok, token_expired, credentials_invalid, ...)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
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
      this.authOutcomes.inc({ outcome: "ok" });
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

import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { clientIpKey } from "../http/rate-limit.js";
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
  readonly auditDropped = new Counter({
    name: "tessera_audit_events_dropped_total",
    help: "Audit events dropped because the buffer was full while the database was slow or down",
    registers: [this.registry],
  });
  /** Where refusals are also recorded (the audit log, aggregated per key and minute); set by buildApp. */
  onRefused: ((limit: string, key: string) => void) | null = null;

  /** Counts one refusal by a rate limit, and records it in the audit log under its key. */
  refused(limit: string, key: string): void {
    this.rateLimited.inc({ limit });
    this.onRefused?.(limit, key);
  }

  readonly backendFailures = new Counter({
    name: "tessera_backend_failures_total",
    help: "Requests answered 503 because a backend (database, redis) did not answer",
    labelNames: ["backend"] as const,
    registers: [this.registry],
  });
  readonly backendUp = new Gauge({
    name: "tessera_backend_up",
    help: "1 while a backend answers its probe, 0 while it is down",
    labelNames: ["backend"] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "tessera_" });
  }

  /**
   * `tessera_revocation_entries` and `tessera_audit_events_pending`: what `stats` says the
   * process holds in memory, read at scrape time (a soak run watches them stay bounded).
   */
  observeMemory(stats: () => { revocationEntries: number; auditEventsPending: number }): void {
    new Gauge({
      name: "tessera_revocation_entries",
      help: "Live revocation entries held in memory (bounded per user)",
      registers: [this.registry],
      collect() {
        this.set(stats().revocationEntries);
      },
    });
    new Gauge({
      name: "tessera_audit_events_pending",
      help: "Audit events buffered in memory, waiting to be written (at most 10,000)",
      registers: [this.registry],
      collect() {
        this.set(stats().auditEventsPending);
      },
    });
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
  recordLogin(outcome: { ok: true } | { ok: false; code: string; limit?: string }, keys?: { ip: string; username: string }): void {
    if (outcome.ok) {
      this.recordAuthOk();
      this.tokensIssued.inc({ kind: "access_token" });
      this.tokensIssued.inc({ kind: "refresh_token" });
    } else if (outcome.code === "rate_limited") {
      const limit = outcome.limit ?? "login";
      if (keys === undefined) this.rateLimited.inc({ limit });
      else this.refused(limit, limit === "login-ip" ? clientIpKey(keys.ip) : keys.username.toLowerCase());
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

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Counter, Histogram, Registry } from "prom-client";
import { LATENCY_BUCKETS } from "../../src/server/request-metrics.js";
import { ServerMetrics } from "../../src/server/metrics.js";

// The per-request metrics are counted by hand and formatted by prom-client at scrape time; a
// Prometheus server (and anyone reading /metrics) must see what the prom-client Counter and
// Histogram they replaced printed for the same requests.
function promClientReference(requests: [string, string, number, number][]): Registry {
  const registry = new Registry();
  const counter = new Counter({
    name: "tessera_http_requests_total",
    help: "HTTP requests by route, method and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const histogram = new Histogram({
    name: "tessera_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["method", "route"],
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  for (const [method, route, status, seconds] of requests) {
    counter.inc({ method, route, status: String(status) });
    histogram.observe({ method, route }, seconds);
  }
  return registry;
}

/** The two metrics' blocks of an exposition, series sorted (their order carries no meaning). */
function perRequestBlocks(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.includes("tessera_http_request"))
    .sort();
}

describe("per-request metrics", () => {
  // Bounds themselves, values between them, above every bound, several routes, methods and statuses.
  const requests: [string, string, number, number][] = [
    ["GET", "/api/me", 200, 0.0004],
    ["GET", "/api/me", 200, 0.001],
    ["GET", "/api/me", 401, 0.0031],
    ["GET", "/api/posts", 200, 0.25],
    ["POST", "/api/tokens", 200, 0.07],
    ["POST", "/api/tokens", 401, 3.2],
    ["GET", "unmatched", 404, 0.0009],
    ["GET", "/api/me", 200, 2.5],
  ];

  it("prints the same series and values as prom-client's Counter and Histogram", async () => {
    const metrics = new ServerMetrics();
    for (const [method, route, status, seconds] of requests) metrics.recordRequest(method, route, status, seconds);
    const ours = (await metrics.render()).body;
    const reference = await promClientReference(requests).metrics();
    assert.deepEqual(perRequestBlocks(ours), perRequestBlocks(reference));
    assert.match(ours, /tessera_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/me"\} 3\n/);
  });

  it("gives the same JSON as prom-client and starts again from zero on reset", async () => {
    const metrics = new ServerMetrics();
    for (const [method, route, status, seconds] of requests) metrics.recordRequest(method, route, status, seconds);
    const reference = await promClientReference(requests).getMetricsAsJSON();
    const ours = (await metrics.registry.getMetricsAsJSON()).filter((metric) => metric.name.startsWith("tessera_http_request"));
    // Key order and prom-client's empty exemplar slot carry no meaning: compare name, labels, value.
    const sortValues = (metric: { name: string; values: unknown[] }) =>
      (metric.values as { metricName?: string; labels: Record<string, unknown>; value: number }[])
        .map((value) => `${value.metricName ?? metric.name} ${JSON.stringify(Object.entries(value.labels).sort())} ${value.value}`)
        .sort();
    assert.deepEqual(ours.map(sortValues), reference.map(sortValues));
    metrics.registry.resetMetrics();
    assert.doesNotMatch((await metrics.render()).body, /tessera_http_requests_total\{/);
  });

  it("counts successful authentications between scrapes and across them", async () => {
    const metrics = new ServerMetrics();
    metrics.recordAuthOk();
    metrics.recordAuthOk();
    metrics.authOutcomes.inc({ outcome: "token_expired" });
    assert.match((await metrics.render()).body, /tessera_auth_outcomes_total\{outcome="ok"\} 2\n/);
    metrics.recordAuthOk();
    const body = (await metrics.render()).body;
    assert.match(body, /tessera_auth_outcomes_total\{outcome="ok"\} 3\n/);
    assert.match(body, /tessera_auth_outcomes_total\{outcome="token_expired"\} 1\n/);
  });
});

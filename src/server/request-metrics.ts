// The two per-request metrics, kept as plain counts and formatted by prom-client at scrape time.

/** Upper bounds of the latency histogram, seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

interface RouteFigures {
  labels: { method: string; route: string };
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  buckets: number[];
  sum: number;
  count: number;
  /** Responses by status code, in first-seen order. */
  statuses: Map<number, number>;
}

/** A value as prom-client's registry formats it (`labels` then `sharedLabels` in the line). */
interface MetricValue {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: "counter" | "histogram";
  values: MetricValue[];
  aggregator: "sum";
}

/**
 * Counts requests by (method, route, status) and their latency by (method, route) with a map
 * look-up and an array increment each. prom-client's `Counter.inc` and `Histogram.observe`
 * validate and hash their label objects on every call, which showed in the profiles of
 * `GET /api/me`; here that work happens once per scrape instead. The two metric objects
 * below are registered in the server's prom-client registry and print exactly what a
 * prom-client Counter and Histogram with these names, labels and buckets print.
 */
export class RequestMetrics {
  private readonly byMethod = new Map<string, Map<string, RouteFigures>>();

  /** Records one finished request. */
  record(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.byMethod.get(method);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.byMethod.set(method, byRoute);
    }
    let figures = byRoute.get(route);
    if (figures === undefined) {
      figures = { labels: { method, route }, buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0, statuses: new Map() };
      byRoute.set(route, figures);
    }
    figures.count += 1;
    figures.sum += seconds;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[bucket] ?? Infinity)) bucket += 1;
    figures.buckets[bucket] = (figures.buckets[bucket] ?? 0) + 1;
    figures.statuses.set(status, (figures.statuses.get(status) ?? 0) + 1);
  }

  /** `tessera_http_requests_total`, a counter by method, route and status. */
  readonly requestsMetric = this.metric("tessera_http_requests_total", "HTTP requests by route, method and status", "counter", () => {
    const values: MetricValue[] = [];
    for (const figures of this.routes()) {
      for (const [status, count] of figures.statuses) {
        values.push({ labels: { ...figures.labels, status: String(status) }, value: count });
      }
    }
    return values;
  });

  /** `tessera_http_request_duration_seconds`, a histogram by method and route. */
  readonly latencyMetric = this.metric("tessera_http_request_duration_seconds", "HTTP request latency by route", "histogram", () => {
    const name = "tessera_http_request_duration_seconds";
    const values: MetricValue[] = [];
    for (const figures of this.routes()) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((bound, index) => {
        cumulative += figures.buckets[index] ?? 0;
        values.push({ labels: { le: bound }, sharedLabels: figures.labels, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push(
        { labels: { le: "+Inf" }, sharedLabels: figures.labels, value: figures.count, metricName: `${name}_bucket` },
        { labels: {}, sharedLabels: figures.labels, value: figures.sum, metricName: `${name}_sum` },
        { labels: {}, sharedLabels: figures.labels, value: figures.count, metricName: `${name}_count` },
      );
    }
    return values;
  });

  private *routes(): Generator<RouteFigures> {
    for (const byRoute of this.byMethod.values()) yield* byRoute.values();
  }

  /** An object prom-client's Registry accepts in `registerMetric` (it reads name, type and get*). */
  private metric(name: string, help: string, type: MetricData["type"], values: () => MetricValue[]) {
    const data = (): MetricData => ({ name, help, type, values: values(), aggregator: "sum" });
    return {
      name,
      help,
      type,
      aggregator: "sum" as const,
      /** What the text exposition formats (labels apart from the route's shared labels). */
      getForPromString: () => Promise.resolve(data()),
      /** The JSON shape: every label on the value itself. */
      get: () => {
        const result = data();
        return Promise.resolve({ ...result, values: result.values.map(({ sharedLabels, ...value }) => ({ ...value, labels: { ...value.labels, ...sharedLabels } })) });
      },
      reset: () => this.byMethod.clear(),
    };
  }
}

// `npm run soak [-- --minutes 30] [--store sqlite|postgres|both]`: a long mixed load at about half
// the measured capacity (mostly protected reads; some logins, refreshes, PAT creations and
// revocations) against its own server, sampling the server's RSS, heap, event-loop delay and
// open handles every 10 s into docs/reliability/soak-<store>.csv and an SVG chart beside it.
// Promise: zero 5xx, and RSS after warm-up grows by less than 10% over the run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestSchemaName, dropTestSchema, isPostgresReachable, readTestPostgresUrl } from "../test/support/postgres.js";
import { startPrivateRedis, type PrivateRedis } from "../test/support/redis.js";
import { call, freePort, PASSWORD, Report, ROOT, seededRandom, sleep, startServer, type ScenarioReport, type ServerProcess } from "./harness.js";

const SAMPLE_EVERY_MS = 10_000;
const MAX_IN_FLIGHT = 64;

interface Sample {
  seconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  eventLoopP99Ms: number;
  handles: number;
  revocationEntries: number;
  auditPending: number;
  requests: number;
  fiveHundreds: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? 0 : sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Growth of `pick` over the samples after warm-up: the median of the last tenth of them (at
 * least three samples) against the median of the first tenth. A single sample of RSS or heap
 * swings by 10-20% with the collector's rhythm; a leak moves the medians, a late collection
 * does not.
 */
function growthAfterWarmUp(warm: readonly Sample[], pick: (sample: Sample) => number): { first: number; last: number; growth: number } {
  const window = Math.max(3, Math.ceil(warm.length / 10));
  const first = median(warm.slice(0, window).map(pick));
  const last = median(warm.slice(-window).map(pick));
  return { first, last, growth: first === 0 ? 0 : (last - first) / first };
}

function parseArgs(argv: readonly string[]): { minutes: number; stores: ("sqlite" | "postgres")[]; outDir: string } {
  let minutes = 10;
  let store = "both";
  let outDir = join(ROOT, "docs", "reliability");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--minutes") minutes = Number(argv[++i]);
    else if (arg === "--store") store = argv[++i] ?? "both";
    else if (arg === "--out") outDir = argv[++i] ?? outDir;
    else throw new Error(`unknown argument ${String(arg)}; usage: npm run soak -- [--minutes N] [--store sqlite|postgres|both] [--out DIR]`);
  }
  if (!(minutes > 0)) throw new Error("--minutes must be a positive number");
  const stores: ("sqlite" | "postgres")[] | null = store === "both" ? ["sqlite", "postgres"] : store === "sqlite" ? ["sqlite"] : store === "postgres" ? ["postgres"] : null;
  if (stores === null) throw new Error("--store must be sqlite, postgres or both");
  return { minutes, stores, outDir };
}

function residentMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match?.[1] === undefined ? 0 : Number(match[1]) / 1024;
}

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "m").exec(text);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

/** Requests per second the server answers GET /api/me with 8 concurrent clients, over `ms`. */
async function measureCapacity(url: string, token: string, ms: number): Promise<number> {
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() - started < ms) {
        await call(url, "GET", "/api/me", { token });
        done += 1;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

async function soakOne(store: "sqlite" | "postgres", minutes: number, outDir: string, backends: { postgresUrl: string | null; redis: PrivateRedis | null }): Promise<ScenarioReport> {
  const report = new Report(`soak (${store}${store === "postgres" ? " + redis" : ""}, ${minutes} min)`);
  const dir = await mkdtemp(join(tmpdir(), "tessera-soak-"));
  let schema: string | null = null;
  let env: Record<string, string>;
  if (store === "sqlite") env = { TESSERA_DATABASE_URL: `sqlite:${join(dir, "tessera.db")}` };
  else {
    if (backends.postgresUrl === null || backends.redis === null) {
      report.check("PostgreSQL and redis-server are available", false);
      return report.report;
    }
    schema = createTestSchemaName();
    const url = new URL(backends.postgresUrl);
    url.searchParams.set("schema", schema);
    env = { TESSERA_DATABASE_URL: url.toString(), TESSERA_REDIS_URL: backends.redis.url, TESSERA_REDIS_KEY_PREFIX: `${schema}:` };
  }
  let server: ServerProcess | null = null;
  const samples: Sample[] = [];
  try {
    server = await startServer(await freePort(), env);
    const url = server.url;
    const random = seededRandom(7);
    const users = Array.from({ length: 20 }, (_, i) => `soak${i}`);
    for (const username of users) await call(url, "POST", "/api/users", { body: { username, password: PASSWORD } });
    // Each slot is one client's session. Writes on a slot take turns (a client does not refresh
    // and log out at once), and a slot whose session ended logs in again, as a client would.
    const sessions: { access: string; refresh: string; username: string; busy: boolean }[] = [];
    const logInto = async (username: string) => {
      const body = (await call(url, "POST", "/api/tokens", { basic: { username, password: PASSWORD } })).body;
      return { access: body["access_token"] as string, refresh: body["refresh_token"] as string, username, busy: false };
    };
    for (const username of users) sessions.push(await logInto(username));
    const capacity = await measureCapacity(url, sessions[0]?.access ?? "", 5_000);
    const rate = Math.max(10, Math.round(capacity / 2));
    report.figure("measured capacity, GET /api/me (req/s)", Math.round(capacity));
    report.figure("soak rate (req/s)", rate);

    const counts = { requests: 0, fiveHundreds: 0, noAnswer: 0, byStatus: new Map<number, number>(), errors: new Map<string, number>() };
    let inFlight = 0;
    const one = async (): Promise<void> => {
      const roll = random();
      const index = Math.floor(random() * sessions.length);
      const session = sessions[index];
      if (session === undefined) return;
      const write = roll >= 0.9;
      if (write && session.busy) return;
      if (write) session.busy = true;
      let reply;
      try {
        if (roll < 0.9) reply = await call(url, "GET", "/api/me", { token: session.access });
        else if (roll < 0.92) reply = await call(url, "POST", "/api/tokens", { basic: { username: session.username, password: PASSWORD } });
        else if (roll < 0.96) {
          reply = await call(url, "POST", "/api/tokens/refresh", { body: { refresh_token: session.refresh } });
          if (reply.status === 200) Object.assign(session, { access: reply.body["access_token"] as string, refresh: reply.body["refresh_token"] as string });
        } else if (roll < 0.98) {
          reply = await call(url, "POST", "/api/me/tokens", { token: session.access, body: { name: "soak", scope: "users:read", expires_in: 3600 } });
          const id = reply.body["id"];
          // Each PAT is revoked again, so the run creates and revokes in equal measure.
          if (reply.status === 201) await call(url, "DELETE", `/api/me/tokens/${String(id)}`, { token: session.access });
        } else {
          // A revocation: the session logs out and logs in again.
          reply = await call(url, "DELETE", "/api/tokens", { token: session.access });
          Object.assign(session, await logInto(session.username), { busy: true });
        }
        counts.requests += 1;
        counts.byStatus.set(reply.status, (counts.byStatus.get(reply.status) ?? 0) + 1);
        if (reply.status >= 500) counts.fiveHundreds += 1;
        if (reply.status === 401 && !write && !session.busy) {
          // Its access token expired or its session ended under a read: log in again.
          session.busy = true;
          try {
            Object.assign(session, await logInto(session.username));
          } finally {
            session.busy = false;
          }
        }
      } catch (error) {
        counts.noAnswer += 1;
        const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
        const what = `${error instanceof Error ? error.name : "error"}: ${String(cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : error))}`;
        counts.errors.set(what, (counts.errors.get(what) ?? 0) + 1);
      } finally {
        if (write) session.busy = false;
      }
    };
    const started = Date.now();
    const endAt = started + minutes * 60_000;
    let nextSampleAt = started;
    let issued = 0;
    while (Date.now() < endAt) {
      const now = Date.now();
      if (now >= nextSampleAt) {
        const text = (await call(url, "GET", "/metrics")).body["text"] as string;
        samples.push({
          seconds: Math.round((now - started) / 1000),
          rssMiB: residentMiB(server.pid),
          heapUsedMiB: metric(text, "tessera_nodejs_heap_size_used_bytes") / 2 ** 20,
          heapTotalMiB: metric(text, "tessera_nodejs_heap_size_total_bytes") / 2 ** 20,
          eventLoopP99Ms: metric(text, "tessera_nodejs_eventloop_lag_p99_seconds") * 1000,
          handles: metric(text, "tessera_nodejs_active_handles_total"),
          revocationEntries: metric(text, "tessera_revocation_entries"),
          auditPending: metric(text, "tessera_audit_events_pending"),
          requests: counts.requests,
          fiveHundreds: counts.fiveHundreds,
        });
        nextSampleAt += SAMPLE_EVERY_MS;
      }
      const due = Math.floor(((now - started) / 1000) * rate) - issued;
      for (let i = 0; i < due && inFlight < MAX_IN_FLIGHT; i++) {
        issued += 1;
        inFlight += 1;
        void one().finally(() => {
          inFlight -= 1;
        });
      }
      await sleep(5);
    }
    while (inFlight > 0) await sleep(10);
    const warm = samples.filter((sample) => sample.seconds >= Math.min(60, (minutes * 60) / 5));
    const rss = growthAfterWarmUp(warm, (sample) => sample.rssMiB);
    const heap = growthAfterWarmUp(warm, (sample) => sample.heapUsedMiB);
    const percent = (fraction: number) => `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)}%`;
    report.figure("requests", counts.requests);
    report.figure("statuses", [...counts.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status}: ${n}`).join(", "));
    report.figure("RSS after warm-up, median of first -> last tenth (MiB)", `${rss.first.toFixed(1)} -> ${rss.last.toFixed(1)} (${percent(rss.growth)})`);
    report.figure("RSS single samples: first after warm-up -> last, peak (MiB)", `${(warm[0]?.rssMiB ?? 0).toFixed(1)} -> ${(warm.at(-1)?.rssMiB ?? 0).toFixed(1)}, ${Math.max(...samples.map((sample) => sample.rssMiB)).toFixed(1)}`);
    report.figure("heap used after warm-up, median of first -> last tenth (MiB)", `${heap.first.toFixed(1)} -> ${heap.last.toFixed(1)} (${percent(heap.growth)})`);
    const heapTotal = growthAfterWarmUp(warm, (sample) => sample.heapTotalMiB);
    report.figure("V8 heap reserved after warm-up, median of first -> last tenth (MiB)", `${heapTotal.first.toFixed(1)} -> ${heapTotal.last.toFixed(1)} (${percent(heapTotal.growth)})`);
    report.figure("peak event-loop delay p99 (ms)", Math.max(...samples.map((sample) => sample.eventLoopP99Ms)).toFixed(1));
    report.figure("open handles first -> last", `${samples[0]?.handles ?? "?"} -> ${samples.at(-1)?.handles ?? "?"}`);
    report.figure("revocation entries in memory, peak (last)", `${Math.max(...samples.map((sample) => sample.revocationEntries))} (${samples.at(-1)?.revocationEntries ?? "?"})`);
    report.figure("audit events pending, peak", Math.max(...samples.map((sample) => sample.auditPending)));
    if (counts.errors.size > 0) report.figure("requests without an answer, by error", [...counts.errors.entries()].map(([what, n]) => `${what} x${n}`).join("; "));
    report.check("zero 5xx and every request answered", counts.fiveHundreds === 0 && counts.noAnswer === 0, `${counts.fiveHundreds} 5xx, ${counts.noAnswer} without answer`);
    report.check("RSS after warm-up grew by less than 10%", rss.growth < 0.1, percent(rss.growth));
    report.check("the server never crashed", server.isRunning());
    mkdirSync(outDir, { recursive: true });
    const csv = [
      "seconds,rss_mib,heap_used_mib,heap_total_mib,event_loop_p99_ms,open_handles,revocation_entries,audit_pending,requests,five_hundreds",
      ...samples.map((s) => [s.seconds, s.rssMiB.toFixed(1), s.heapUsedMiB.toFixed(1), s.heapTotalMiB.toFixed(1), s.eventLoopP99Ms.toFixed(2), s.handles, s.revocationEntries, s.auditPending, s.requests, s.fiveHundreds].join(",")),
    ].join("\n");
    writeFileSync(join(outDir, `soak-${store}.csv`), `${csv}\n`);
    writeFileSync(join(outDir, `soak-${store}.svg`), renderChart(samples, `${store === "postgres" ? "PostgreSQL + Redis" : "SQLite"}: ${minutes} min at ${rate} req/s`));
  } finally {
    await server?.terminate();
    await rm(dir, { recursive: true, force: true });
    if (schema !== null && backends.postgresUrl !== null) await dropTestSchema(backends.postgresUrl, schema).catch(() => undefined);
  }
  return report.report;
}

/** RSS and heap (MiB) over time, as a small self-contained SVG line chart. */
function renderChart(samples: readonly Sample[], title: string): string {
  const width = 640;
  const height = 260;
  const left = 50;
  const bottom = 30;
  const top = 30;
  const maxSeconds = Math.max(1, ...samples.map((s) => s.seconds));
  const maxMiB = Math.max(1, ...samples.map((s) => Math.max(s.rssMiB, s.heapUsedMiB))) * 1.1;
  const x = (seconds: number) => left + ((width - left - 10) * seconds) / maxSeconds;
  const y = (mib: number) => height - bottom - ((height - bottom - top) * mib) / maxMiB;
  const line = (pick: (s: Sample) => number) => samples.map((s) => `${x(s.seconds).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(" ");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const mib = maxMiB * f;
    return `<line x1="${left}" x2="${width - 10}" y1="${y(mib).toFixed(1)}" y2="${y(mib).toFixed(1)}" stroke="#ddd"/><text x="${left - 5}" y="${(y(mib) + 4).toFixed(1)}" text-anchor="end" font-size="10">${mib.toFixed(0)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="${width}" height="${height}" fill="white"/>
<text x="${left}" y="18" font-size="12">${title}</text>
${ticks.join("\n")}
<text x="${width - 10}" y="${height - 8}" text-anchor="end" font-size="10">${Math.round(maxSeconds / 60)} min</text>
<text x="12" y="${top + 10}" font-size="10">MiB</text>
<polyline fill="none" stroke="#c0392b" stroke-width="2" points="${line((s) => s.rssMiB)}"/>
<polyline fill="none" stroke="#2471a3" stroke-width="2" points="${line((s) => s.heapUsedMiB)}"/>
<text x="${width - 120}" y="${top + 10}" font-size="11" fill="#c0392b">RSS</text>
<text x="${width - 80}" y="${top + 10}" font-size="11" fill="#2471a3">heap used</text>
</svg>
`;
}

const options = parseArgs(process.argv.slice(2));
const pgUrl = readTestPostgresUrl();
const postgresUrl = options.stores.includes("postgres") && (await isPostgresReachable(pgUrl)) ? pgUrl : null;
let redis: PrivateRedis | null = null;
if (options.stores.includes("postgres")) redis = await startPrivateRedis().catch(() => null);
let passed = 0;
let failed = 0;
try {
  for (const store of options.stores) {
    const report = await soakOne(store, options.minutes, options.outDir, { postgresUrl, redis });
    const ok = report.checks.every((check) => check.ok);
    process.stdout.write(`\n${ok ? "PASS" : "FAIL"}  ${report.name}\n`);
    for (const [name, value] of Object.entries(report.figures)) process.stdout.write(`      ${name}: ${value}\n`);
    for (const check of report.checks) process.stdout.write(`  ${check.ok ? "ok " : "NOT"} ${check.what}${!check.ok && check.detail ? ` - ${check.detail}` : ""}\n`);
    if (ok) passed += 1;
    else failed += 1;
  }
} finally {
  await redis?.stop();
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;

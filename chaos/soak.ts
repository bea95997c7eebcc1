// `npm run soak [-- --minutes 30] [--store sqlite|postgres|both]` (or `-- --judge FILE.csv...` to
// judge recorded runs again): a long mixed load at about half
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

const percent = (fraction: number) => `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)}%`;

/**
 * The memory figures of a run and its verdict. Warm-up is the first third of the run (at least
 * a minute, at most ten): the time every bounded structure needs to fill to its bound (the
 * revocation set cycles through its per-user cap in minutes under the soak's load) and V8 to
 * size its heap for the load. Growth is judged after it; growth since the first minute is shown
 * too, as is the RSS trend over the judged samples.
 */
function judgeMemory(samples: readonly Sample[], minutes: number): { figures: Record<string, string>; check: { what: string; ok: boolean; detail: string } } {
  const warmUpSeconds = Math.min(600, Math.max(60, (minutes * 60) / 3));
  const judged = samples.filter((sample) => sample.seconds >= warmUpSeconds);
  const sinceMinuteOne = samples.filter((sample) => sample.seconds >= 60);
  const rss = growthAfterWarmUp(judged, (sample) => sample.rssMiB);
  const early = growthAfterWarmUp(sinceMinuteOne, (sample) => sample.rssMiB);
  const heap = growthAfterWarmUp(judged, (sample) => sample.heapUsedMiB);
  const reserved = growthAfterWarmUp(judged, (sample) => sample.heapTotalMiB);
  // Least-squares slope of RSS over the judged samples, in MiB per 10 minutes.
  const meanX = judged.reduce((sum, sample) => sum + sample.seconds, 0) / Math.max(1, judged.length);
  const meanY = judged.reduce((sum, sample) => sum + sample.rssMiB, 0) / Math.max(1, judged.length);
  const covariance = judged.reduce((sum, sample) => sum + (sample.seconds - meanX) * (sample.rssMiB - meanY), 0);
  const variance = judged.reduce((sum, sample) => sum + (sample.seconds - meanX) ** 2, 0);
  const slopePer10Min = variance === 0 ? 0 : (covariance / variance) * 600;
  const span = (g: { first: number; last: number; growth: number }) => `${g.first.toFixed(1)} -> ${g.last.toFixed(1)} (${percent(g.growth)})`;
  return {
    figures: {
      [`RSS after warm-up (${Math.round(warmUpSeconds / 60)} min), median of first -> last tenth (MiB)`]: span(rss),
      "RSS since minute 1, median of first -> last tenth (MiB)": span(early),
      "RSS trend after warm-up (MiB per 10 min), peak RSS (MiB)": `${slopePer10Min >= 0 ? "+" : ""}${slopePer10Min.toFixed(1)}, ${Math.max(...samples.map((sample) => sample.rssMiB)).toFixed(1)}`,
      "heap used after warm-up, median of first -> last tenth (MiB)": span(heap),
      "V8 heap reserved after warm-up, median of first -> last tenth (MiB)": span(reserved),
    },
    check: { what: "RSS after warm-up grew by less than 10%", ok: rss.growth < 0.1, detail: percent(rss.growth) },
  };
}

/** `--judge FILE.csv`: the memory figures and verdict of a recorded run, from its CSV. */
function judgeRecordedRun(file: string): boolean {
  const [header = "", ...lines] = readFileSync(file, "utf8").trim().split("\n");
  const columns = header.split(",");
  const read = (cells: string[], name: string) => Number(cells[columns.indexOf(name)] ?? Number.NaN);
  const samples: Sample[] = lines.map((line) => {
    const cells = line.split(",");
    return {
      seconds: read(cells, "seconds"),
      rssMiB: read(cells, "rss_mib"),
      heapUsedMiB: read(cells, "heap_used_mib"),
      heapTotalMiB: read(cells, "heap_total_mib"),
      eventLoopP99Ms: read(cells, "event_loop_p99_ms"),
      handles: read(cells, "open_handles"),
      revocationEntries: read(cells, "revocation_entries"),
      auditPending: read(cells, "audit_pending"),
      requests: read(cells, "requests"),
      fiveHundreds: read(cells, "five_hundreds"),
    };
  });
  const minutes = Math.round((samples.at(-1)?.seconds ?? 0) / 60);
  const memory = judgeMemory(samples, minutes);
  const fiveHundreds = samples.at(-1)?.fiveHundreds ?? 0;
  process.stdout.write(`${file} (${minutes} min, ${samples.at(-1)?.requests ?? 0} requests, ${fiveHundreds} 5xx)\n`);
  for (const [name, value] of Object.entries(memory.figures)) process.stdout.write(`      ${name}: ${value}\n`);
  process.stdout.write(`  ${memory.check.ok ? "ok " : "NOT"} ${memory.check.what} - ${memory.check.detail}\n`);
  return memory.check.ok && fiveHundreds === 0;
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
    report.figure("requests", counts.requests);
    report.figure("statuses", [...counts.byStatus.entries()].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status}: ${n}`).join(", "));
    const memory = judgeMemory(samples, minutes);
    report.figure("peak event-loop delay p99 (ms)", Math.max(...samples.map((sample) => sample.eventLoopP99Ms)).toFixed(1));
    report.figure("open handles first -> last", `${samples[0]?.handles ?? "?"} -> ${samples.at(-1)?.handles ?? "?"}`);
    report.figure("revocation entries in memory, peak (last)", `${Math.max(...samples.map((sample) => sample.revocationEntries))} (${samples.at(-1)?.revocationEntries ?? "?"})`);
    report.figure("audit events pending, peak", Math.max(...samples.map((sample) => sample.auditPending)));
    if (counts.errors.size > 0) report.figure("requests without an answer, by error", [...counts.errors.entries()].map(([what, n]) => `${what} x${n}`).join("; "));
    report.check("zero 5xx and every request answered", counts.fiveHundreds === 0 && counts.noAnswer === 0, `${counts.fiveHundreds} 5xx, ${counts.noAnswer} without answer`);
    for (const [name, value] of Object.entries(memory.figures)) report.figure(name, value);
    report.check(memory.check.what, memory.check.ok, memory.check.detail);
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

const judgeIndex = process.argv.indexOf("--judge");
if (judgeIndex !== -1) {
  const files = process.argv.slice(judgeIndex + 1);
  const verdicts = files.map((file) => judgeRecordedRun(file));
  process.stdout.write(`\n${verdicts.filter(Boolean).length} passed, ${verdicts.filter((ok) => !ok).length} failed\n`);
  process.exit(verdicts.every(Boolean) ? 0 : 1);
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

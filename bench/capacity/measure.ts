// Capacity in operators' units, measured in process through createTessera on one pinned core:
// logins/s (argon2id, OWASP parameters), refreshes/s, introspections/s, first-seen personal
// access token verifications/s, and revocation propagation between two instances over
// PostgreSQL + Redis. Reads one CapacityJob as JSON on stdin, prints one JSON line on stdout.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
// The compiled package (dist/), as an installed app runs it; npm run bench builds it first.
import { createTessera, type Tessera, type TesseraOptions, type TokenStore } from "tessera-auth";
import { createPasswordHasher, DEFAULT_ARGON2_PARAMS } from "tessera-auth/passwords";
import { openTokenStore, type SqlTokenStore } from "tessera-auth/stores";
import { closeRedisConnection, openRedisConnection, RedisRevocationFeed } from "../../dist/stores/redis/index.js";

export interface CapacityJob {
  runs: number;
  /** Seconds per measured run of each throughput figure. */
  seconds: number;
  /** Revocations timed per run for the propagation figure. */
  propagationSamples: number;
  /** An account that may create schemas; null skips the propagation figure. */
  postgresUrl: string | null;
  redisUrl: string | null;
}

/** One figure; `values` holds one number per run (ops/s), or the samples' percentiles in ms. */
export interface CapacityFigure {
  name: string;
  unit: string;
  /** Throughput figures: one value per run. */
  values: number[];
  /** Propagation: percentiles over every sample of every run, in ms. */
  percentiles?: { p50: number; p99: number; max: number; samples: number };
  note?: string;
  skipped?: string;
}

export type CapacityOutput = { figures: CapacityFigure[] } | { error: string };

const ISSUER = "https://capacity.tessera.invalid";
const AUDIENCE = "tessera-capacity";
// Enough requests in flight that the one core never waits on its own loop.
const CONCURRENCY = 4;

interface BenchUser {
  id: string;
  passwordHash: string;
}

/**
 * Runs `task` from CONCURRENCY loops for `seconds` (or until a task answers false: nothing
 * left to do); returns completed tasks per second.
 */
async function throughput(seconds: number, task: (worker: number, index: number) => Promise<boolean | void>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let done = 0;
  let exhausted = false;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      while (!exhausted && performance.now() < deadline) {
        if ((await task(worker, done)) === false) {
          exhausted = true;
          return;
        }
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function openSqlite(dir: string): Promise<SqlTokenStore> {
  const store = await openTokenStore(`sqlite:${join(dir, "capacity.db")}`);
  await store.migrate();
  return store;
}

function baseOptions(store: TokenStore): TesseraOptions<BenchUser> {
  return { store, issuer: ISSUER, audience: AUDIENCE, scopes: ["users:read"], keyReloadIntervalMs: 0, revocationPollIntervalMs: 0 };
}

async function measureSqliteFigures(job: CapacityJob): Promise<CapacityFigure[]> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-capacity-"));
  const store = await openSqlite(dir);
  // One core: one argon2 job at a time, as the default (cores - 1) gives on a 2-core machine.
  const passwords = createPasswordHasher({ ...DEFAULT_ARGON2_PARAMS, maxConcurrency: 1 });
  const password = randomBytes(18).toString("base64url");
  const user: BenchUser = { id: "1", passwordHash: await passwords.hash(password) };
  const users = { findForLogin: (name: string) => (name === "bench" ? user : null), byId: (id: string) => (id === user.id ? user : null) };
  const tessera = await createTessera<BenchUser>({ ...baseOptions(store), users, passwordHasher: passwords });
  const logins: number[] = [];
  const refreshes: number[] = [];
  const introspections: number[] = [];
  const patChecks: number[] = [];
  try {
    // Refresh chains, one per loop, each a live session.
    const chains = await Promise.all(Array.from({ length: CONCURRENCY }, async () => (await tessera.startSession(user, { scope: "users:read" })).refreshToken));
    // Introspection rotates over 1,000 live access tokens of 1,000 sessions.
    const accessTokens = await Promise.all(
      Array.from({ length: 1000 }, async () => (await tessera.startSession(user, { scope: "users:read" })).accessToken),
    );
    for (let run = 0; run < job.runs; run++) {
      logins.push(
        await throughput(job.seconds, async () => {
          const result = await tessera.login("bench", password);
          if (!result.ok) throw new Error(`login failed: ${result.code}`);
        }),
      );
      refreshes.push(
        await throughput(job.seconds, async (worker) => {
          const result = await tessera.refresh(chains[worker] ?? "");
          if (!result.ok) throw new Error(`refresh failed: ${result.code}`);
          chains[worker] = result.pair.refreshToken;
        }),
      );
      introspections.push(
        await throughput(job.seconds, async (_worker, index) => {
          const result = await tessera.introspect(accessTokens[index % accessTokens.length] ?? "");
          if (result === null) throw new Error("introspection said inactive");
        }),
      );
      patChecks.push(await measureFirstSeenPats(store, tessera, user, job.seconds));
    }
  } finally {
    await tessera.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return [
    { name: "logins", unit: "logins/s", values: logins, note: `tessera.login: argon2id m=${DEFAULT_ARGON2_PARAMS.memoryCost} KiB, t=${DEFAULT_ARGON2_PARAMS.timeCost}, p=${DEFAULT_ARGON2_PARAMS.parallelism} + a session (SQLite file)` },
    { name: "refreshes", unit: "refreshes/s", values: refreshes, note: "tessera.refresh: rotation with reuse detection (SQLite file)" },
    { name: "introspections", unit: "introspections/s", values: introspections, note: "tessera.introspect over 1,000 live access tokens (verified-token cache on)" },
    { name: "first-seen PAT verifications", unit: "verifications/s", values: patChecks, note: "tessera.verify of personal access tokens this instance has never seen (SQLite file)" },
  ];
}

/**
 * Personal access tokens verified by an instance that has never seen them: minted by one
 * instance, verified once each by a fresh one on the same store (no cache can help).
 */
async function measureFirstSeenPats(store: TokenStore, minter: Tessera<BenchUser>, user: BenchUser, seconds: number): Promise<number> {
  // Minting is not timed; the timed part stops early when every token has been verified once.
  const count = Math.max(2000, Math.round(seconds * 5000));
  const tokens: string[] = [];
  for (let index = 0; index < count; index++) {
    tokens.push((await minter.personalAccessTokens.create(user.id, { name: `capacity ${index}`, scope: "users:read" })).token);
  }
  const fresh = await createTessera<BenchUser>(baseOptions(store));
  try {
    let next = 0;
    const rate = await throughput(seconds, async () => {
      const token = tokens[next++];
      if (token === undefined) return false;
      const result = await fresh.verify(token);
      if (!result.ok) throw new Error(`PAT refused: ${result.code}`);
      return true;
    });
    return rate;
  } finally {
    await fresh.close();
  }
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

/**
 * Revoke on instance A, refused on instance B: two createTessera instances on one PostgreSQL
 * schema, each with its own pool and its own Redis feed, as two servers would have. The clock
 * runs from A's revoke call to the first refusal B gives (B is asked in a tight loop).
 */
async function measurePropagation(job: CapacityJob): Promise<CapacityFigure> {
  const figure: CapacityFigure = { name: "revocation propagation p99", unit: "ms", values: [] };
  if (job.postgresUrl === null || job.redisUrl === null) return { ...figure, skipped: "PostgreSQL or Redis not reachable" };
  const schema = `tessera_capacity_${randomBytes(6).toString("hex")}`;
  const keyPrefix = `tessera-capacity-${randomBytes(6).toString("hex")}:`;
  const storeA = await openTokenStore(job.postgresUrl, { schema, poolSize: 4 });
  await storeA.migrate();
  const storeB = await openTokenStore(job.postgresUrl, { schema, poolSize: 4 });
  const publisherA = openRedisConnection({ url: job.redisUrl });
  const publisherB = openRedisConnection({ url: job.redisUrl });
  const feedA = new RedisRevocationFeed({ url: job.redisUrl, keyPrefix, publisher: publisherA });
  const feedB = new RedisRevocationFeed({ url: job.redisUrl, keyPrefix, publisher: publisherB });
  // The scaled-out server's poll interval (src/server/scale-out.ts); the feed is what is timed.
  const a = await createTessera({ ...baseOptions(storeA), revocationFeed: feedA, revocationPollIntervalMs: 500 });
  const b = await createTessera({ ...baseOptions(storeB), revocationFeed: feedB, revocationPollIntervalMs: 500 });
  const samples: number[] = [];
  try {
    // Let both subscriptions settle before the first sample.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let run = 0; run < job.runs; run++) {
      for (let sample = 0; sample < job.propagationSamples; sample++) {
        const session = await a.startSession("1", { scope: "users:read" });
        const before = await b.verify(session.accessToken, { touch: false });
        if (!before.ok) throw new Error(`instance B refused a fresh token: ${before.code}`);
        const started = performance.now();
        await a.revokeAccessToken(before.principal);
        for (;;) {
          const after = await b.verify(session.accessToken, { touch: false });
          if (!after.ok) break;
          if (performance.now() - started > 5_000) throw new Error("instance B still accepts a token revoked 5 s ago");
          await new Promise((resolve) => setImmediate(resolve));
        }
        samples.push(performance.now() - started);
      }
    }
  } finally {
    await a.close();
    await b.close();
    await Promise.all([feedA.close(), feedB.close()]);
    await Promise.all([closeRedisConnection(publisherA), closeRedisConnection(publisherB)]);
    await storeB.close();
    await storeA.close();
    const admin = new pg.Client({ connectionString: job.postgresUrl });
    await admin.connect();
    try {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await admin.end();
    }
  }
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    ...figure,
    percentiles: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0, samples: sorted.length },
    note: "revokeAccessToken on A (PostgreSQL write + Redis publish) until B refuses the token; two instances, one process",
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const job = JSON.parse(await readStdin()) as CapacityJob;
let output: CapacityOutput;
try {
  const figures = await measureSqliteFigures(job);
  try {
    figures.push(await measurePropagation(job));
  } catch (error) {
    figures.push({ name: "revocation propagation p99", unit: "ms", values: [], skipped: error instanceof Error ? error.message.split("\n")[0] ?? "failed" : String(error) });
  }
  output = { figures };
} catch (error) {
  output = { error: error instanceof Error ? error.message : String(error) };
}
process.stdout.write(JSON.stringify(output) + "\n");

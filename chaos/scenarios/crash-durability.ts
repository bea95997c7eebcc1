// Crash durability: under a client loop that writes (sign-ups, logins, PATs, refreshes,
// revocations), kill -9 the server at random moments, restart it on the same database and
// check that every write answered 2xx before the kill is there and every token revoked with 204
// stays refused. Promise: no acknowledged write is lost, no revoked token is accepted again.
import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Ledger, runClientLoop, verifyLedger } from "../client-ledger.js";
import { freePort, Report, seededRandom, sleep, startServer, type ScenarioReport, type ServerProcess } from "../harness.js";

export interface CrashOptions {
  store: "sqlite" | "postgres";
  kills: number;
  seed: number;
  /** PostgreSQL + Redis only. */
  postgresUrl?: string;
  redisUrl?: string;
  /** Where the PostgreSQL tables go (a fresh schema the caller drops). */
  schema?: string;
}

export async function crashDurability(options: CrashOptions): Promise<ScenarioReport> {
  const report = new Report(`crash durability (${options.store}, ${options.kills} x kill -9)`);
  const random = seededRandom(options.seed);
  const dir = await mkdtemp(join(tmpdir(), "tessera-chaos-"));
  const file = join(dir, "tessera.db");
  let env: Record<string, string>;
  if (options.store === "sqlite") {
    env = { TESSERA_DATABASE_URL: `sqlite:${file}` };
  } else {
    if (options.postgresUrl === undefined || options.redisUrl === undefined || options.schema === undefined) throw new Error("postgres needs postgresUrl, redisUrl and schema");
    const url = new URL(options.postgresUrl);
    url.searchParams.set("schema", options.schema);
    env = { TESSERA_DATABASE_URL: url.toString(), TESSERA_REDIS_URL: options.redisUrl, TESSERA_REDIS_KEY_PREFIX: `${options.schema}:` };
  }
  const port = await freePort();
  const ledger = new Ledger(`c${options.seed}u`);
  let server: ServerProcess | null = null;
  let restartMs = 0;
  let verified = 0;
  const failures: string[] = [];
  try {
    server = await startServer(port, env);
    for (let kill = 1; kill <= options.kills; kill++) {
      const usersBefore = ledger.users.length;
      let stopped = false;
      const current = server;
      const loop = runClientLoop({ url: () => current.url, ledger, random, workers: 4, stop: () => stopped });
      await sleep(400 + Math.floor(random() * 1200));
      await current.kill9();
      stopped = true;
      await loop;
      if (options.store === "sqlite") {
        const integrity = checkSqliteIntegrity(file);
        if (integrity !== "ok") failures.push(`after kill ${kill}: integrity_check says ${integrity}`);
      }
      const started = Date.now();
      server = await startServer(port, env);
      restartMs = Math.max(restartMs, Date.now() - started);
      const found = await verifyLedger(server.url, ledger, { newUsers: ledger.users.slice(usersBefore), random, sampleUsers: 3 });
      verified += 1;
      for (const failure of found) failures.push(`after kill ${kill}: ${failure}`);
    }
    if (options.store === "postgres" && options.postgresUrl !== undefined && options.schema !== undefined) {
      const orphans = await countPostgresOrphans(options.postgresUrl, options.schema);
      report.check("PostgreSQL: every refresh token belongs to a session (no half-written row)", orphans === 0, `${orphans} orphans`);
    }
  } catch (error) {
    failures.push(`the run stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await server?.terminate();
    await rm(dir, { recursive: true, force: true });
  }
  const revoked = ledger.sessions.filter((session) => session.state === "revoked").length + ledger.pats.filter((pat) => pat.state === "revoked").length;
  report.figure("kills", verified);
  report.figure("acknowledged users", ledger.users.length);
  report.figure("acknowledged sessions", ledger.sessions.length);
  report.figure("acknowledged PATs", ledger.pats.length);
  report.figure("acknowledged revocations", revoked);
  report.figure("requests answered 2xx", ledger.answers.ok);
  report.figure("requests cut or refused by a kill", ledger.answers.noAnswer + ledger.answers.refused);
  report.figure("5xx answers", ledger.answers.serverError);
  report.figure("slowest restart (ms)", restartMs);
  report.check(`${options.kills} kills and restarts completed`, verified === options.kills, `${verified} of ${options.kills}`);
  report.check("no acknowledged write lost, no revoked token accepted", failures.length === 0, failures.slice(0, 5).join("; "));
  if (options.store === "sqlite") report.check("SQLite integrity_check ok after every kill", !failures.some((failure) => failure.includes("integrity_check")));
  report.check("no 5xx during the load", ledger.answers.serverError === 0, `${ledger.answers.serverError} 5xx`);
  return report.report;
}

function checkSqliteIntegrity(file: string): string {
  const database = new Database(file);
  try {
    const rows = database.prepare("pragma integrity_check").all() as { integrity_check: string }[];
    return rows.map((row) => row.integrity_check).join(", ");
  } finally {
    database.close();
  }
}

async function countPostgresOrphans(url: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      `select count(*) as count from "${schema}".tessera_refresh_tokens r left join "${schema}".tessera_sessions s on s.id = r.session_id where s.id is null`,
    );
    return Number(result.rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}

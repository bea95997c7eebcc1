// SIGTERM under load: the server stops accepting, finishes what it accepted, exits 0; no request
// it accepted gets a 5xx or a reset, and nothing it acknowledged is lost.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ledger, runClientLoop, verifyLedger } from "../client-ledger.js";
import { freePort, Report, seededRandom, sleep, startServer, type ScenarioReport } from "../harness.js";

export async function gracefulShutdown(options: { seed: number; rounds: number }): Promise<ScenarioReport> {
  const report = new Report(`graceful shutdown (SIGTERM under load, ${options.rounds} rounds)`);
  const dir = await mkdtemp(join(tmpdir(), "tessera-chaos-"));
  const env = { TESSERA_DATABASE_URL: `sqlite:${join(dir, "tessera.db")}` };
  const port = await freePort();
  const random = seededRandom(options.seed);
  const ledger = new Ledger(`g${options.seed}u`);
  const exitCodes: (number | null)[] = [];
  const failures: string[] = [];
  let slowestExit = 0;
  try {
    for (let round = 0; round < options.rounds; round++) {
      const server = await startServer(port, env);
      let stopped = false;
      const loop = runClientLoop({ url: () => server.url, ledger, random, workers: 6, stop: () => stopped });
      await sleep(800 + Math.floor(random() * 800));
      const started = Date.now();
      exitCodes.push(await server.terminate(15_000));
      slowestExit = Math.max(slowestExit, Date.now() - started);
      stopped = true;
      await loop;
      const check = await startServer(port, env);
      failures.push(...(await verifyLedger(check.url, ledger, { newUsers: ledger.users, random, sampleUsers: 0 })));
      await check.terminate();
      ledger.users.length = 0;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  report.figure("exit codes", exitCodes.map(String).join(", "));
  report.figure("slowest SIGTERM to exit (ms)", slowestExit);
  report.figure("requests answered", ledger.answers.ok + ledger.answers.clientError + ledger.answers.serverError);
  report.figure("5xx answers", ledger.answers.serverError);
  report.figure("connections refused after the listener closed", ledger.answers.refused);
  // HTTP/1.1's keep-alive race: a request sent on a connection the server is closing as idle
  // (it never read it) fails as a socket error; clients retry those. Counted, not hidden.
  report.figure("requests that met a closing keep-alive connection (socket error, no answer)", ledger.answers.noAnswer);
  report.check("every SIGTERM exits 0", exitCodes.every((code) => code === 0));
  report.check("no 5xx for a request the server read", ledger.answers.serverError === 0, `${ledger.answers.serverError} 5xx`);
  report.check("no acknowledged write lost", failures.length === 0, failures.slice(0, 3).join("; "));
  return report.report;
}

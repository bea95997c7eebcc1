// A PostgreSQL outage through a TCP proxy (refused connections, then dropped packets), under
// load: token decisions keep working from memory, what needs the database answers 503 with
// Retry-After within TESSERA_DATABASE_TIMEOUT (never hangs, never 500), full service returns
// within 5 s, and a refresh cut mid-way leaves the old or the new refresh token usable.
import { startTcpProxy, type TcpProxy } from "../../test/scale-out/tcp-proxy.js";
import { call, freePort, percentile, PASSWORD, Report, sleep, startServer, waitFor, type Reply, type ScenarioReport, type ServerProcess } from "../harness.js";

const TIMEOUT_SECONDS = 5;

export async function postgresOutage(options: { postgresUrl: string; schema: string; outageMs: number }): Promise<ScenarioReport> {
  const report = new Report(`PostgreSQL outage (${options.outageMs / 1000} s refused, ${options.outageMs / 1000} s dropped packets)`);
  const target = new URL(options.postgresUrl);
  const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port || "5432"));
  const viaProxy = new URL(options.postgresUrl);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  viaProxy.searchParams.set("schema", options.schema);
  let server: ServerProcess | null = null;
  try {
    server = await startServer(await freePort(), { TESSERA_DATABASE_URL: viaProxy.toString(), TESSERA_DATABASE_TIMEOUT: String(TIMEOUT_SECONDS) });
    const url = server.url;
    for (const name of ["pia", "quinn"]) await call(url, "POST", "/api/users", { body: { username: name, password: PASSWORD } });
    const login = async (username: string, scope?: string) =>
      (await call(url, "POST", "/api/tokens", { basic: { username, password: PASSWORD }, ...(scope === undefined ? {} : { body: { scope } }) })).body as { access_token: string; refresh_token: string };
    const full = await login("pia");
    const narrow = await login("pia", "users:read");
    const revoked = await login("quinn");
    await call(url, "DELETE", "/api/tokens", { token: revoked.access_token });
    await call(url, "GET", "/api/me", { token: full.access_token });

    for (const mode of ["refused", "dropped packets"] as const) {
      // Refreshes in flight as the database goes away.
      const pairs = await Promise.all(Array.from({ length: 6 }, () => login("quinn")));
      const refreshes = pairs.map((pair) => call(url, "POST", "/api/tokens/refresh", { body: { refresh_token: pair.refresh_token }, timeoutMs: 30_000 }).catch(() => null));
      if (mode === "refused") await proxy.refuse();
      else proxy.silence();
      const cutAt = Date.now();
      const answers: Reply[] = [];
      let noAnswer = 0;
      const memory = { me: 0, revoked: 0, scope: 0, wrong: [] as string[] };
      const workers = Array.from({ length: 4 }, async (_, worker) => {
        while (Date.now() - cutAt < options.outageMs) {
          try {
            const me = await call(url, "GET", "/api/me", { token: full.access_token, timeoutMs: 30_000 });
            answers.push(me);
            if (me.status === 200) memory.me += 1;
            else memory.wrong.push(`GET /api/me ${me.status}`);
            const gone = await call(url, "GET", "/api/me", { token: revoked.access_token, timeoutMs: 30_000 });
            answers.push(gone);
            if (gone.status === 401) memory.revoked += 1;
            else memory.wrong.push(`revoked token ${gone.status}`);
            const denied = await call(url, "POST", "/api/posts", { token: narrow.access_token, body: { title: "t", body: "b" }, timeoutMs: 30_000 });
            answers.push(denied);
            if (denied.status === 403) memory.scope += 1;
            else memory.wrong.push(`missing scope ${denied.status}`);
            // Needs the database.
            answers.push(worker % 2 === 0 ? await call(url, "GET", "/api/users", { token: full.access_token, timeoutMs: 30_000 }) : await call(url, "POST", "/api/tokens", { basic: { username: "pia", password: PASSWORD }, timeoutMs: 30_000 }));
          } catch {
            noAnswer += 1;
          }
        }
      });
      await Promise.all(workers);
      const refreshOutcomes = await Promise.all(refreshes);
      await proxy.restore();
      const restoredAt = Date.now();
      const recoveryMs = await waitFor(async () => (await call(url, "GET", "/api/users", { token: full.access_token })).status === 200, 30_000, 50);
      const unavailable = answers.filter((reply) => reply.status === 503);
      const slowest503 = Math.max(0, ...unavailable.map((reply) => reply.elapsedMs));
      const fiveHundreds = answers.filter((reply) => reply.status >= 500 && reply.status !== 503).length;
      const tag = mode === "refused" ? "refused" : "dropped";
      report.figure(`${tag}: requests during the outage`, answers.length);
      report.figure(`${tag}: 503 answers`, unavailable.length);
      report.figure(`${tag}: slowest 503 (ms)`, Math.round(slowest503));
      report.figure(`${tag}: p99 of 503s (ms)`, Math.round(percentile(unavailable.map((reply) => reply.elapsedMs), 0.99)));
      report.figure(`${tag}: recovery after the database returned (ms)`, recoveryMs ?? "none in 30 s");
      report.check(`${tag}: no 500 and no request without an answer`, fiveHundreds === 0 && noAnswer === 0, `${fiveHundreds} other 5xx, ${noAnswer} without answer`);
      report.check(`${tag}: every 503 within TESSERA_DATABASE_TIMEOUT (${TIMEOUT_SECONDS} s) + 1 s, with Retry-After`, slowest503 <= TIMEOUT_SECONDS * 1000 + 1000 && unavailable.every((reply) => Number(reply.headers.get("retry-after")) > 0), `slowest ${Math.round(slowest503)} ms`);
      report.check(`${tag}: token decisions kept working from memory (/api/me 200, revoked 401, scope 403)`, memory.wrong.length === 0 && memory.me > 0, memory.wrong.slice(0, 3).join(", "));
      report.check(`${tag}: full service within 5 s of the database's return`, recoveryMs !== null && recoveryMs <= 5_000, `${String(recoveryMs)} ms after ${restoredAt - cutAt} ms of outage`);
      // Never neither: the new refresh token when one was returned, else the old one.
      let neither = 0;
      for (const [index, outcome] of refreshOutcomes.entries()) {
        const pair = pairs[index];
        if (pair === undefined) continue;
        const token = outcome?.status === 200 ? (outcome.body["refresh_token"] as string) : pair.refresh_token;
        const again = await call(url, "POST", "/api/tokens/refresh", { body: { refresh_token: token } });
        if (again.status !== 200) neither += 1;
      }
      report.figure(`${tag}: refreshes cut by the outage`, refreshOutcomes.filter((outcome) => outcome?.status !== 200).length);
      report.check(`${tag}: every refresh cut mid-way left the old or the new refresh token usable`, neither === 0, `${neither} of ${pairs.length} left neither`);
      await sleep(200);
    }
    report.check("the server never crashed", server.isRunning(), server.output().slice(-500));
  } finally {
    await proxy.restore();
    await server?.terminate();
    await proxy.close();
  }
  return report.report;
}

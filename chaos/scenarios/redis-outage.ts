// Redis stopped for a while under load, two instances over PostgreSQL + Redis: valid tokens keep
// their answers (no 5xx), a revocation made during the outage is refused by the other instance
// within 1 s (the database poll), rate limits keep limiting per instance, and both are back on
// shared state within 5 s of Redis's return.
import type { PrivateRedis } from "../../test/support/redis.js";
import { call, freePort, PASSWORD, Report, sleep, startServer, waitFor, type ScenarioReport, type ServerProcess } from "../harness.js";

export async function redisOutage(options: { postgresUrl: string; schema: string; redis: PrivateRedis; outageMs: number }): Promise<ScenarioReport> {
  const report = new Report(`Redis outage (${options.outageMs / 1000} s, two instances)`);
  const database = new URL(options.postgresUrl);
  database.searchParams.set("schema", options.schema);
  const env = { TESSERA_DATABASE_URL: database.toString(), TESSERA_REDIS_URL: options.redis.url, TESSERA_REDIS_KEY_PREFIX: `${options.schema}:`, TESSERA_LOGIN_LIMIT_ACCOUNT: "5/15m" };
  const servers: ServerProcess[] = [];
  try {
    const a = await startServer(await freePort(), env);
    servers.push(a);
    const b = await startServer(await freePort(), env);
    servers.push(b);
    for (const name of ["rosa", "sam", "victim"]) await call(a.url, "POST", "/api/users", { body: { username: name, password: PASSWORD } });
    const login = async (url: string, username: string) => (await call(url, "POST", "/api/tokens", { basic: { username, password: PASSWORD } })).body as { access_token: string };
    const readers = await Promise.all([login(a.url, "rosa"), login(b.url, "rosa")]);
    const toRevoke = await login(a.url, "sam");

    let stop = false;
    const counts = { requests: 0, fiveHundreds: 0, noAnswer: 0 };
    const load = Promise.all(
      [a, b, a, b].map(async (server, index) => {
        while (!stop) {
          try {
            const reply = await call(server.url, "GET", "/api/me", { token: readers[index % 2]?.access_token ?? "" });
            counts.requests += 1;
            if (reply.status >= 500) counts.fiveHundreds += 1;
          } catch {
            counts.noAnswer += 1;
          }
        }
      }),
    );
    await sleep(500);
    await options.redis.kill();
    const downAt = Date.now();
    await sleep(Math.min(2_000, options.outageMs / 3));
    // A revocation during the outage: made on A, refused on B through the database poll.
    const logout = await call(a.url, "DELETE", "/api/tokens", { token: toRevoke.access_token });
    const revokedAt = Date.now();
    const lag = await waitFor(async () => (await call(b.url, "GET", "/api/me", { token: toRevoke.access_token })).status === 401, 5_000, 10);
    report.figure("revocation lag on the other instance during the outage (ms)", lag ?? "not within 5 s");
    report.check("a logout during the outage answered 204", logout.status === 204, String(logout.status));
    report.check("the revocation was refused on the other instance within 1 s", lag !== null && lag <= 1_000, `${String(lag)} ms after ${revokedAt - downAt} ms of outage`);
    // Per-instance limits: 5 failed logins per account lock it on the instance that counted them.
    let limited = false;
    for (let attempt = 0; attempt < 7 && !limited; attempt++) {
      const reply = await call(a.url, "POST", "/api/tokens", { basic: { username: "victim", password: "wrong password!" } });
      limited = reply.status === 429;
    }
    report.check("rate limits kept limiting per instance during the outage", limited);
    await sleep(Math.max(0, options.outageMs - (Date.now() - downAt)));
    await options.redis.start();
    const upAt = Date.now();
    const recovery = await waitFor(async () => {
      const answers = await Promise.all(servers.map((server) => call(server.url, "GET", "/readyz")));
      return answers.every((reply) => reply.status === 200);
    }, 15_000, 50);
    stop = true;
    await load;
    report.figure("outage (ms)", upAt - downAt);
    report.figure("requests with valid tokens during the run", counts.requests);
    report.figure("5xx answers", counts.fiveHundreds);
    report.figure("back on shared state after Redis returned (ms)", recovery ?? "not within 15 s");
    report.check("no 5xx and no request without an answer", counts.fiveHundreds === 0 && counts.noAnswer === 0, `${counts.fiveHundreds} 5xx, ${counts.noAnswer} without answer`);
    report.check("both instances back on Redis within 5 s of its return", recovery !== null && recovery <= 5_000, `${String(recovery)} ms`);
  } finally {
    for (const server of servers) await server.terminate();
  }
  return report.report;
}

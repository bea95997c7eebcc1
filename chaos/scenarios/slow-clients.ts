// Slow and many clients: connections trickling their headers or bodies a byte a second are
// closed by the server's timeouts while normal requests keep answering fast (p99 < 100 ms), and
// thousands of idle keep-alive connections exhaust neither file descriptors nor memory.
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, freePort, PASSWORD, percentile, Report, sleep, startServer, type ScenarioReport } from "../harness.js";

function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

export async function slowClients(options: { slowConnections: number; trickleMs: number; idleConnections: number }): Promise<ScenarioReport> {
  const report = new Report(`slow and many clients (${options.slowConnections} trickling for ${options.trickleMs / 1000} s, ${options.idleConnections} idle keep-alive)`);
  const dir = await mkdtemp(join(tmpdir(), "tessera-chaos-"));
  const port = await freePort();
  // Short timeouts, so a run of a minute shows them working: 5 s for headers, 10 s for a request.
  const server = await startServer(port, { TESSERA_DATABASE_URL: `sqlite:${join(dir, "tessera.db")}`, TESSERA_HEADERS_TIMEOUT: "5", TESSERA_REQUEST_TIMEOUT: "10" });
  const sockets: Socket[] = [];
  try {
    await call(server.url, "POST", "/api/users", { body: { username: "tess", password: PASSWORD } });
    const token = (await call(server.url, "POST", "/api/tokens", { basic: { username: "tess", password: PASSWORD } })).body["access_token"] as string;
    const rssBefore = residentBytes(server.pid);

    // Trickling clients: half send headers a byte a second, half a body.
    let closedByServer = 0;
    let stillOpen = 0;
    const slow = await Promise.all(
      Array.from({ length: options.slowConnections }, async (_, index) => {
        const socket = await openSocket(port);
        socket.on("error", () => undefined);
        socket.on("data", () => undefined);
        let closed = false;
        socket.once("close", () => {
          closed = true;
        });
        const head = index % 2 === 0 ? "GET /healthz HTTP/1.1\r\nHost: chaos\r\nX-Slow: " : "POST /api/users HTTP/1.1\r\nHost: chaos\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
        socket.write(head);
        const timer = setInterval(() => {
          if (!closed) socket.write("a");
        }, 1_000);
        return { socket, timer, isClosed: () => closed };
      }),
    );
    const latencies: number[] = [];
    let failures = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        while (Date.now() - started < options.trickleMs) {
          try {
            const reply = await call(server.url, "GET", "/api/me", { token });
            if (reply.status === 200) latencies.push(reply.elapsedMs);
            else failures += 1;
          } catch {
            failures += 1;
          }
          await sleep(5);
        }
      }),
    );
    for (const connection of slow) {
      clearInterval(connection.timer);
      if (connection.isClosed()) closedByServer += 1;
      else stillOpen += 1;
      connection.socket.destroy();
    }
    const p99 = percentile(latencies, 0.99);
    report.figure("normal requests during the trickle", latencies.length);
    report.figure("normal p50 (ms)", percentile(latencies, 0.5).toFixed(1));
    report.figure("normal p99 (ms)", p99.toFixed(1));
    report.figure("slow connections closed by the server", `${closedByServer} of ${options.slowConnections}`);
    report.check("normal requests all answered 200 with p99 under 100 ms", failures === 0 && p99 < 100, `${failures} failed, p99 ${p99.toFixed(1)} ms`);
    if (options.trickleMs > 12_000) report.check("every trickling connection closed by the server's timeouts", stillOpen === 0, `${stillOpen} still open`);

    // Idle keep-alive connections: each makes one request, then sits.
    for (let i = 0; i < options.idleConnections; i++) {
      const socket = await openSocket(port);
      socket.on("error", () => undefined);
      socket.on("data", () => undefined);
      socket.write("GET /healthz HTTP/1.1\r\nHost: chaos\r\nConnection: keep-alive\r\n\r\n");
      sockets.push(socket);
    }
    await sleep(500);
    const rssIdle = residentBytes(server.pid);
    const during = await call(server.url, "GET", "/api/me", { token });
    report.figure("server RSS before (MiB)", (rssBefore / 2 ** 20).toFixed(1));
    report.figure(`server RSS with ${options.idleConnections} idle connections (MiB)`, (rssIdle / 2 ** 20).toFixed(1));
    report.check(`answers normally with ${options.idleConnections} idle keep-alive connections open`, during.status === 200, String(during.status));
    report.check("memory with the idle connections stays under 2x the baseline", rssIdle < rssBefore * 2, `${(rssIdle / 2 ** 20).toFixed(1)} MiB`);
    report.check("the server never crashed", server.isRunning(), server.output().slice(-300));
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.terminate();
    await rm(dir, { recursive: true, force: true });
  }
  return report.report;
}

// Security hardening, item 11: there was no request timeout (requestTimeout: 0), so a client
// trickling its headers or body held a connection forever. Socket timeouts are real time: this
// test waits about two seconds for them, on short configured values.
import * as assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { makeApp } from "../server/helpers.js";

/** Opens a socket, writes `start`, then nothing; resolves how long the server kept it and what it answered. */
async function stall(port: number, start: string): Promise<{ ms: number; answer: string }> {
  const began = Date.now();
  const socket = connect(port, "127.0.0.1");
  let answer = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => (answer += chunk));
  socket.on("error", () => undefined);
  await once(socket, "connect");
  socket.write(start);
  await once(socket, "close");
  return { ms: Date.now() - began, answer };
}

void describe("slow clients", () => {
  let app: FastifyInstance;
  let port = 0;
  before(async () => {
    app = await makeApp({ TESSERA_HEADERS_TIMEOUT: "1s", TESSERA_REQUEST_TIMEOUT: "2s" });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    port = typeof address === "object" && address !== null ? address.port : 0;
  });
  after(() => app.close());

  void it("closes a connection whose headers never end, after the headers timeout", async () => {
    const { ms, answer } = await stall(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1");
    assert.ok(ms < 5_000, `held for ${ms} ms`);
    assert.match(answer, /^(HTTP\/1\.1 408|$)/);
  });

  void it("closes a connection whose body never arrives, after the request timeout", async () => {
    const { ms } = await stall(port, "POST /api/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    assert.ok(ms < 6_000, `held for ${ms} ms`);
  });

  void it("refuses a headers timeout longer than the request timeout at start", async () => {
    await assert.rejects(makeApp({ TESSERA_HEADERS_TIMEOUT: "10s", TESSERA_REQUEST_TIMEOUT: "5s" }), /TESSERA_HEADERS_TIMEOUT/);
  });
});

void describe("connections per client IP", () => {
  let app: FastifyInstance;
  let port = 0;
  before(async () => {
    app = await makeApp({ TESSERA_CONNECTIONS_PER_IP: "3" });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    port = typeof address === "object" && address !== null ? address.port : 0;
  });
  after(() => app.close());

  async function open(): Promise<Socket> {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    await once(socket, "connect");
    return socket;
  }

  async function answerOf(socket: Socket, request: string): Promise<string> {
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (answer += chunk));
    const closed = once(socket, "close");
    socket.write(request);
    await closed;
    return answer;
  }

  void it("refuses a connection past the cap with a 429 problem, and takes new ones once a slot frees", async () => {
    const held = [await open(), await open(), await open()];
    try {
      const answer = await answerOf(await open(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assert.match(answer, /^HTTP\/1\.1 429 /);
      assert.match(answer, /content-type: application\/problem\+json/i);
      assert.match(answer, /"code":"rate_limited"/);
      // The held ones are served.
      assert.match(await answerOf(held.pop()!, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), /^HTTP\/1\.1 200 /);
      // Its slot is free again (the server counts a connection until its socket closes).
      let next = "";
      for (let attempt = 0; attempt < 50 && !next.startsWith("HTTP/1.1 200"); attempt++) {
        next = await answerOf(await open(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      }
      assert.match(next, /^HTTP\/1\.1 200 /);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  void it("refuses a cap that is not a positive count, and takes off", async () => {
    await assert.rejects(makeApp({ TESSERA_CONNECTIONS_PER_IP: "0" }), /TESSERA_CONNECTIONS_PER_IP/);
    const uncapped = await makeApp({ TESSERA_CONNECTIONS_PER_IP: "off" });
    await uncapped.close();
  });
});

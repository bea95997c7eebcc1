// Security hardening, item 11: there was no request timeout (requestTimeout: 0), so a client
// trickling its headers or body held a connection forever. Socket timeouts are real time: this
// test waits about two seconds for them, on short configured values.
import * as assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
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

// Floor: the fastest a single Node process answers a small JSON body here, with no framework and no auth.
import { createServer } from "node:http";
import { announceReady, exitOnSignal } from "./announce.js";

const server = createServer((_request, response) => {
  const body = JSON.stringify({ hello: "world" });
  response.writeHead(200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
});

server.listen(0, "127.0.0.1", () => announceReady(server.address()));
exitOnSignal(() => new Promise((resolve) => server.close(resolve)));

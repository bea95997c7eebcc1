// Worker-thread entry of the legacy-hash pool (legacy-hash-pool.ts): bcrypt (bcryptjs) and
// SHA-crypt are pure JavaScript, so on the main thread every wrong guess would take up to
// seconds of the event loop away from the requests that only check tokens.
import { parentPort } from "node:worker_threads";
import { verifyBcrypt } from "./bcrypt.js";
import type { LegacyHashRequest, LegacyHashResponse } from "./legacy-hash-messages.js";
import { verifyShaCrypt } from "./sha-crypt.js";

const port = parentPort;
if (!port) throw new Error("legacy-hash-worker must run in a worker thread");

port.on("message", (request: LegacyHashRequest) => {
  const verify = request.scheme === "bcrypt" ? verifyBcrypt : verifyShaCrypt;
  verify(request.hash, request.password).then(
    (outcome) => port.postMessage({ id: request.id, outcome } satisfies LegacyHashResponse),
    // Only the error's name crosses the thread: a message might quote its input.
    (error: unknown) => port.postMessage({ id: request.id, failure: error instanceof Error ? error.name : "Error" } satisfies LegacyHashResponse),
  );
});

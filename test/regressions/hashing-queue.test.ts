// Security hardening, item 10: the password-hash queue was unbounded, so a login storm grew memory
// and latency without limit. Past its bound a hash is refused at once (503 backend_unavailable).
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { BackendUnavailableError } from "../../src/core/errors.js";
import { createPasswordHasher } from "../../src/core/passwords/index.js";

void it("refuses a hash at once when the queue is full, and serves the ones it took", async () => {
  const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1, maxConcurrency: 1, maxQueued: 1 });
  const results = await Promise.allSettled([hasher.hash("first password"), hasher.hash("second password"), hasher.hash("third password")]);
  assert.equal(results[0]?.status, "fulfilled");
  assert.equal(results[1]?.status, "fulfilled");
  assert.equal(results[2]?.status, "rejected");
  const reason: unknown = results[2]?.status === "rejected" ? results[2].reason : undefined;
  assert.ok(reason instanceof BackendUnavailableError);
  assert.equal(reason.code, "backend_unavailable");
  // Once the queue drains, hashing works again.
  assert.match(await hasher.hash("fourth password"), /^\$argon2id\$/);
});

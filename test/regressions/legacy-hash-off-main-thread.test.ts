// Security hardening, item 9: bcrypt (bcryptjs) and SHA-crypt are JavaScript, and they ran on the
// event loop: each wrong guess against an imported hash took 0.4-1.7 s of main-thread CPU, so a
// few guesses a second stalled every request that only checks a token. They now run on worker
// threads. Measured as the event loop's utilisation while a verification runs (the share of the
// time the main thread was busy), not as a duration: on the main thread it is close to 1.
import * as assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { describe, it } from "node:test";
import bcrypt from "bcryptjs";
import { createPasswordHasher } from "../../src/core/passwords/index.js";
import { computeShaCryptChecksum } from "../../src/core/passwords/sha-crypt.js";

const PASSWORD = "legacy password 1";

async function mainThreadShareOf(work: () => Promise<unknown>): Promise<number> {
  const before = performance.eventLoopUtilization();
  await work();
  return performance.eventLoopUtilization(before).utilization;
}

void describe("legacy password hashes are verified off the main thread", () => {
  const hasher = createPasswordHasher({ memoryCost: 1024, timeCost: 1 });

  void it("bcrypt: the right password matches and a wrong one fails, with the event loop left idle", async () => {
    const hash = bcrypt.hashSync(PASSWORD, 12);
    let result: unknown;
    const share = await mainThreadShareOf(async () => {
      result = await hasher.verify(hash, PASSWORD);
    });
    assert.deepEqual(result, { ok: true, needsRehash: true });
    assert.ok(share < 0.5, `main thread busy ${share.toFixed(2)} of a bcrypt verification`);
    const wrongShare = await mainThreadShareOf(async () => {
      result = await hasher.verify(hash, "wrong password");
    });
    assert.deepEqual(result, { ok: false });
    assert.ok(wrongShare < 0.5, `main thread busy ${wrongShare.toFixed(2)} of a failed bcrypt verification`);
  });

  void it("sha512-crypt at 400,000 rounds: the right password matches, with the event loop left idle", async () => {
    const setting = { variant: "6" as const, rounds: 400_000, salt: "saltsaltsalt" };
    const hash = `$6$rounds=${setting.rounds}$${setting.salt}$${await computeShaCryptChecksum(setting, PASSWORD)}`;
    let result: unknown;
    const share = await mainThreadShareOf(async () => {
      result = await hasher.verify(hash, PASSWORD);
    });
    assert.deepEqual(result, { ok: true, needsRehash: true });
    assert.ok(share < 0.5, `main thread busy ${share.toFixed(2)} of a sha-crypt verification`);
  });

  void it("many verifications at once all complete, each with its own outcome", async () => {
    const hash = bcrypt.hashSync(PASSWORD, 6);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hasher.verify(hash, i % 2 === 0 ? PASSWORD : `wrong ${i}`)),
    );
    assert.deepEqual(
      outcomes.map((outcome) => outcome.ok),
      Array.from({ length: 12 }, (_, i) => i % 2 === 0),
    );
  });
});

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPasswordHasher, verifyUserPassword, type PasswordHasher } from "../../../src/core/passwords/index.js";

const LOW_COST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = "correct horse battery staple";

/** A real hasher that counts the verifications it runs (real and dummy). */
function countingHasher(): { hasher: PasswordHasher; counts: { verify: number; dummy: number } } {
  const inner = createPasswordHasher(LOW_COST);
  const counts = { verify: 0, dummy: 0 };
  const hasher: PasswordHasher = {
    ...inner,
    verify: (hash, password) => {
      counts.verify++;
      return inner.verify(hash, password);
    },
    verifyDummy: (password) => {
      counts.dummy++;
      return inner.verifyDummy(password);
    },
  };
  return { hasher, counts };
}

void describe("verifyUserPassword", () => {
  void it("returns the user on a match, with needsRehash", async () => {
    const { hasher } = countingHasher();
    const user = { id: 1, passwordHash: await hasher.hash(PASSWORD) };
    const login = await verifyUserPassword(hasher, user, PASSWORD);
    assert.deepEqual(login, { ok: true, user, needsRehash: false });
    assert.equal(login.ok && login.user, user);

    const legacy = { id: 2, passwordHash: "$5$rounds=12345$q3hvJE5mn5jKRsW.$BbbYTFiaImz9rTy03GGi.Jf9YY5bmxN0LU3p3uI1iUB" };
    assert.deepEqual(await verifyUserPassword(hasher, legacy, "password"), { ok: true, user: legacy, needsRehash: true });
  });

  void it("answers a wrong password and an unknown user alike, each after one verification", async () => {
    const { hasher, counts } = countingHasher();
    const user = { passwordHash: await hasher.hash(PASSWORD) };
    assert.deepEqual(await verifyUserPassword(hasher, user, "wrong"), { ok: false });
    assert.deepEqual(counts, { verify: 1, dummy: 0 });
    assert.deepEqual(await verifyUserPassword(hasher, null, PASSWORD), { ok: false });
    assert.deepEqual(await verifyUserPassword(hasher, undefined, PASSWORD), { ok: false });
    assert.deepEqual(counts, { verify: 1, dummy: 2 });
  });

  void it("treats a malformed stored hash as a mismatch, never a throw", async () => {
    const { hasher } = countingHasher();
    assert.deepEqual(await verifyUserPassword(hasher, { passwordHash: "not a hash" }, PASSWORD), { ok: false });
  });
});

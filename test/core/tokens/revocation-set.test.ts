import assert from "node:assert/strict";
import { test } from "node:test";
import { RevocationSet } from "../../../src/core/tokens/revocation-set.js";

const now = 1_800_000_000_000;

test("a revoked jti is rejected until its entry expires", () => {
  const set = new RevocationSet();
  set.add({ kind: "jti", value: "j1", revokedAt: now, expiresAt: now + 900_000 });
  assert.equal(set.isRevoked({ jti: "j1", userId: "1", issuedAt: now - 1000 }, now), true);
  assert.equal(set.isRevoked({ jti: "j2", userId: "1", issuedAt: now - 1000 }, now), false);
  assert.equal(set.isRevoked({ jti: "j1", userId: "1", issuedAt: now - 1000 }, now + 900_000), false);
});

test("a revoked session rejects every token carrying its sid", () => {
  const set = new RevocationSet();
  set.add({ kind: "sid", value: "42", revokedAt: now, expiresAt: now + 900_000 });
  assert.equal(set.isRevoked({ jti: "a", sessionId: "42", userId: "1", issuedAt: now }, now), true);
  assert.equal(set.isRevoked({ jti: "b", sessionId: "43", userId: "1", issuedAt: now }, now), false);
});

test("a user cut-off revokes tokens issued up to it, not after", () => {
  const set = new RevocationSet();
  set.add({ kind: "user", value: "7", revokedAt: now, expiresAt: now + 900_000 });
  assert.equal(set.isRevoked({ userId: "7", issuedAt: now - 5000 }, now), true);
  assert.equal(set.isRevoked({ userId: "7", issuedAt: now + 1000 }, now + 1000), false);
  assert.equal(set.isRevoked({ userId: "8", issuedAt: now - 5000 }, now), false);
  // The cut-off's own millisecond is after it: a login right after a revoke-all works.
  assert.equal(set.isRevoked({ userId: "7", issuedAt: now }, now), false);
  assert.equal(set.isRevoked({ userId: "7", issuedAt: now - 1 }, now), true);
});

test("a revoked personal access token id is rejected", () => {
  const set = new RevocationSet();
  set.add({ kind: "token", value: "3", revokedAt: now, expiresAt: now + 60_000 });
  assert.equal(set.isRevoked({ userId: "1", issuedAt: now, tokenId: "3" }, now), true);
});

test("adding twice keeps the widest entry, and prune drops expired ones", () => {
  const set = new RevocationSet();
  set.add({ kind: "user", value: "7", revokedAt: now, expiresAt: now + 1000 });
  set.add({ kind: "user", value: "7", revokedAt: now - 10, expiresAt: now + 5000 });
  assert.equal(set.isRevoked({ userId: "7", issuedAt: now - 1 }, now + 2000), true);
  set.add({ kind: "jti", value: "x", revokedAt: now, expiresAt: now + 10 });
  assert.equal(set.size, 2);
  set.prune(now + 100);
  assert.equal(set.size, 1);
  set.prune(now + 5000);
  assert.equal(set.size, 0);
});

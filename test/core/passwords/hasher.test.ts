import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { ConfigError } from "../../../src/core/errors.js";
import {
  DEFAULT_ARGON2_PARAMS,
  PASSWORD_MAX_BYTES,
  createPasswordHasher,
  hashPassword,
  needsRehash,
  verifyPassword,
} from "../../../src/core/passwords/index.js";

// Low costs keep the suite fast; the defaults are exercised once below.
const LOW_COST = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const PASSWORD = "correct horse battery staple";

// One hash of PASSWORD per supported scheme (sources and oracles in the per-scheme tests).
const LEGACY_HASHES = {
  argon2i: "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
  bcrypt: "$2y$10$P7JvJ4cX0yG9Nq3lK2sB4uwvY.K7Qr3wRZUal3X8hiWLUBhDt6RcC",
  sha512Crypt: "$6$rounds=1000$OQ8ZzUkQhe2Ks1Jb$mQY/le1jMnIEbGC2T9OIw0i.Jrq/uZEJrbkM4lgs9KOtCsmbO884PaeFwtj3uyXoNRY6kdO1G3GtgcXTJ0MvH/",
  sha256Crypt: "$5$rounds=12345$q3hvJE5mn5jKRsW.$BbbYTFiaImz9rTy03GGi.Jf9YY5bmxN0LU3p3uI1iUB",
  werkzeugPbkdf2: "pbkdf2:sha256:1000$I540FWP4n6lItLVU$7a80b7dcc172f1354236962bcc5f3553f091aeea18ec28c4eda880b8058e0e1d",
  werkzeugScrypt:
    "scrypt:16384:8:1$f1KBLRdPrwzPHeZT$0b1ae382654b27a822ad2c5302b62b4fa7177d4e207af4087e36f9cf5a41e09df86f4237a00807d5d581fb65ca3567fa1f589ab2ea66587911b864be119c2262",
};
const LEGACY_PASSWORDS: Record<keyof typeof LEGACY_HASHES, string> = {
  argon2i: "password",
  bcrypt: PASSWORD,
  sha512Crypt: "a".repeat(32),
  sha256Crypt: "password",
  werkzeugPbkdf2: PASSWORD,
  werkzeugScrypt: PASSWORD,
};

void describe("createPasswordHasher", () => {
  void it("hashes with OWASP argon2id costs by default", async () => {
    const hasher = createPasswordHasher();
    const hash = await hasher.hash(PASSWORD);
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.deepEqual(await hasher.verify(hash, PASSWORD), { ok: true, needsRehash: false });
    assert.deepEqual(DEFAULT_ARGON2_PARAMS, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  void it("round-trips its own hashes and rejects wrong passwords", async () => {
    const hasher = createPasswordHasher(LOW_COST);
    const hash = await hasher.hash(PASSWORD);
    assert.match(hash, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    assert.deepEqual(await hasher.verify(hash, PASSWORD), { ok: true, needsRehash: false });
    assert.deepEqual(await hasher.verify(hash, "Correct horse battery staple"), { ok: false });
    assert.deepEqual(await hasher.verify(hash, ""), { ok: false });
  });

  void it("verifies every imported scheme and asks for a rehash on success", async () => {
    const hasher = createPasswordHasher(LOW_COST);
    for (const [scheme, hash] of Object.entries(LEGACY_HASHES) as [keyof typeof LEGACY_HASHES, string][]) {
      assert.deepEqual(await hasher.verify(hash, LEGACY_PASSWORDS[scheme]), { ok: true, needsRehash: true }, scheme);
      assert.deepEqual(await hasher.verify(hash, `${LEGACY_PASSWORDS[scheme]}?`), { ok: false }, scheme);
    }
  });

  void it("needsRehash on its own: every imported scheme and weaker argon2id costs yes, current costs no", async () => {
    for (const [scheme, hash] of Object.entries(LEGACY_HASHES)) assert.equal(needsRehash(hash), true, scheme);
    assert.equal(needsRehash(await hashPassword(PASSWORD, LOW_COST)), true, "weaker than the defaults");
    assert.equal(needsRehash(await hashPassword(PASSWORD, LOW_COST), LOW_COST), false, "as strong as the costs asked for");
    assert.equal(needsRehash(await hashPassword(PASSWORD)), false, "the defaults");
  });

  void it("answers { ok: false } for malformed or unknown hashes and never throws", async () => {
    const hasher = createPasswordHasher(LOW_COST);
    const bad = [
      "",
      "garbage",
      PASSWORD, // a plaintext "hash"
      "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/", // md5-crypt: not supported
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
      "$2b$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
      "scrypt:3:8:1$salt$" + "00".repeat(64),
      "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
    ];
    for (const hash of bad) assert.deepEqual(await hasher.verify(hash, PASSWORD), { ok: false }, hash);
    // Callers in plain JavaScript may pass a missing hash.
    assert.deepEqual(await hasher.verify(null as unknown as string, PASSWORD), { ok: false });
    assert.deepEqual(await hasher.verify(undefined as unknown as string, PASSWORD), { ok: false });
  });

  void it("verifyDummy always resolves { ok: false }", async () => {
    const hasher = createPasswordHasher(LOW_COST);
    const results = await Promise.all([hasher.verifyDummy(PASSWORD), hasher.verifyDummy(""), hasher.verifyDummy("x".repeat(10_000))]);
    assert.deepEqual(results, [{ ok: false }, { ok: false }, { ok: false }]);
  });

  void it("does not block the event loop while hashing", async () => {
    const hasher = createPasswordHasher({ memoryCost: 65536, timeCost: 3, parallelism: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await hasher.hash(PASSWORD);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 3, `event loop ran ${ticks} timer ticks while argon2 ran`);
  });

  void it("refuses passwords longer than PASSWORD_MAX_BYTES", async () => {
    const hasher = createPasswordHasher(LOW_COST);
    const tooLong = "é".repeat(PASSWORD_MAX_BYTES / 2 + 1); // 2 bytes each in UTF-8
    await assert.rejects(hasher.hash(tooLong), RangeError);
    const fits = "é".repeat(PASSWORD_MAX_BYTES / 2);
    const hash = await hasher.hash(fits);
    assert.deepEqual(await hasher.verify(hash, fits), { ok: true, needsRehash: false });
    assert.deepEqual(await hasher.verify(hash, tooLong), { ok: false });
    assert.deepEqual(await hasher.verify(LEGACY_HASHES.sha512Crypt, "a".repeat(1_000_000)), { ok: false });
  });

  void it("validates options at construction", () => {
    const bad = [
      { memoryCost: 0 },
      { memoryCost: 1.5 },
      { timeCost: 0 },
      { parallelism: 0 },
      { parallelism: 256 },
      { memoryCost: 8, parallelism: 2 },
      { memoryCost: 4 * 1024 * 1024 },
      { memoryCost: 2 * 1024 * 1024, timeCost: 5 },
      { werkzeugPbkdf2DefaultIterations: 0 },
    ];
    for (const options of bad) assert.throws(() => createPasswordHasher(options), ConfigError, JSON.stringify(options));
  });
});

void describe("needsRehash", () => {
  const hasher = createPasswordHasher({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const salt = "c29tZXNhbHRzb21lc2FsdA"; // 16 bytes
  const output = "A".repeat(43); // 32 bytes; needsRehash reads parameters only
  const argon2id = (params: string, version = "v=19$") => `$argon2id$${version}${params}$${salt}$${output}`;

  void it("is false for argon2id at or above the configured costs", () => {
    assert.equal(hasher.needsRehash(argon2id("m=19456,t=2,p=1")), false);
    assert.equal(hasher.needsRehash(argon2id("m=65536,t=3,p=4")), false);
  });

  void it("is true for weaker argon2id costs", () => {
    assert.equal(hasher.needsRehash(argon2id("m=19455,t=2,p=1")), true);
    assert.equal(hasher.needsRehash(argon2id("m=65536,t=1,p=1")), true);
    assert.equal(createPasswordHasher({ parallelism: 2, memoryCost: 19456 }).needsRehash(argon2id("m=19456,t=2,p=1")), true);
  });

  void it("is true for argon2id version 0x10, short salts or short outputs", () => {
    assert.equal(hasher.needsRehash(argon2id("m=19456,t=2,p=1", "v=16$")), true);
    assert.equal(hasher.needsRehash(argon2id("m=19456,t=2,p=1", "")), true);
    assert.equal(hasher.needsRehash(`$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$${output}`), true);
    assert.equal(hasher.needsRehash(`$argon2id$v=19$m=65536,t=2,p=1$${salt}$${"A".repeat(22)}`), true);
  });

  void it("is true for every other scheme and for anything unparseable", () => {
    for (const hash of Object.values(LEGACY_HASHES)) assert.equal(hasher.needsRehash(hash), true, hash);
    assert.equal(hasher.needsRehash(`$argon2i$v=19$m=65536,t=3,p=4$${salt}$${output}`), true);
    assert.equal(hasher.needsRehash(`$argon2d$v=19$m=65536,t=3,p=4$${salt}$${output}`), true);
    assert.equal(hasher.needsRehash("$argon2id$v=19$m=x,t=2,p=1$salt$hash"), true);
    assert.equal(hasher.needsRehash(""), true);
  });
});

void describe("hashPassword / verifyPassword", () => {
  void it("hash with the given options and verify with any scheme", async () => {
    const hash = await hashPassword(PASSWORD, LOW_COST);
    assert.equal(await verifyPassword(hash, PASSWORD), true);
    assert.equal(await verifyPassword(hash, "nope"), false);
    assert.equal(await verifyPassword(LEGACY_HASHES.werkzeugPbkdf2, PASSWORD), true);
    assert.equal(await verifyPassword("garbage", PASSWORD), false);
  });
});

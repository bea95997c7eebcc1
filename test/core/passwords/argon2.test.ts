import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { parseOptions } from "@node-rs/argon2";
import { hashArgon2id, readArgon2Params, verifyArgon2 } from "../../../src/core/passwords/argon2.js";

// Reference vectors of the Argon2 reference implementation's test suite
// (phc-winner-argon2 src/test.c, password "password", salt "somesalt"); the two argon2id
// m=256 ones were re-derived with Python cryptography's Argon2id. The argon2d one (empty
// password, 8-space salt, version 0x10) is from libar2's tests of the same encoder.
const REFERENCE_VECTORS: readonly (readonly [string, string])[] = [
  ["password", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"],
  ["password", "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"],
  ["password", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"],
  ["password", "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8"],
  ["password", "$argon2i$m=256,t=2,p=1$c29tZXNhbHQ$/U3YPXYsSb3q9XxHvc0MLxur+GP960kN9j7emXX8zwY"],
  ["", "$argon2d$v=16$m=8,t=1,p=1$ICAgICAgICA$X54KZYxUSfMUihzebb70sKbheabHilo8gsUldrVU4IU"],
];

const LOW_COST = { memoryCost: 256, timeCost: 1, parallelism: 1 };

void describe("argon2", () => {
  void it("verifies the reference implementation's vectors (argon2id, argon2i, argon2d, v16 and v19)", async () => {
    for (const [password, hash] of REFERENCE_VECTORS) {
      assert.equal(await verifyArgon2(hash, password), "match", hash);
    }
  });

  void it("rejects a wrong password", async () => {
    for (const [, hash] of REFERENCE_VECTORS.filter(([, hash]) => !hash.includes("m=65536"))) {
      assert.equal(await verifyArgon2(hash, "passworD"), "mismatch", hash);
    }
  });

  void it("hashes into an argon2id v19 PHC string with the given costs, a 16-byte salt and 32-byte output", async () => {
    const hash = await hashArgon2id("correct horse battery staple", LOW_COST);
    assert.match(hash, /^\$argon2id\$v=19\$m=256,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.equal(await verifyArgon2(hash, "correct horse battery staple"), "match");
    assert.equal(await verifyArgon2(hash, "correct horse battery stapler"), "mismatch");
    const params = readArgon2Params(hash);
    assert.equal(params?.saltLen, 16);
    assert.equal(params?.outputLen, 32);
  });

  void it("salts every hash", async () => {
    const [first, second] = await Promise.all([hashArgon2id("same password", LOW_COST), hashArgon2id("same password", LOW_COST)]);
    assert.notEqual(first, second);
  });

  void it("refuses malformed strings and absurd stored parameters", async () => {
    const good = REFERENCE_VECTORS[0]?.[1] ?? "";
    const malformed = [
      "",
      "$argon2id$",
      good.slice(0, good.lastIndexOf("$")),
      good.replace("m=256", "m=abc"),
      good.replace("c29tZXNhbHQ", "c29t!XNhbHQ"),
      good.replace("nf65EOgLrQMR", "nf65EOgLrQM-"),
      good.replace("m=256", "m=4294967295"), // 4 TiB would take the process down
      good.replace("m=256,t=2", "m=2097152,t=5"),
      good.replace("$argon2id$", "$argon2x$"),
    ];
    for (const hash of malformed) assert.equal(await verifyArgon2(hash, "password"), "malformed", hash);
    assert.equal(readArgon2Params("not a hash"), null);
  });

  // readArgon2Params is our own parser (needsRehash must not load the native binding); it may
  // refuse spellings the binding accepts (needsRehash then says true), never the reverse, and
  // where both parse they must agree.
  void it("reads PHC parameters as the binding does, refusing only more", () => {
    const good = REFERENCE_VECTORS[0]?.[1] ?? "";
    const variants = [
      ...REFERENCE_VECTORS.map(([, hash]) => hash),
      good.replace("m=256,t=2,p=1", "t=2,m=256,p=1"),
      good.replace("m=256,", "m=256,m=512,"),
      good.replace("p=1", "p=1,keyid=abc"),
      good.replace("p=1", "p=1,data=YWJj"),
      good.replace("p=1", "p=1,x=1"),
      good.replace("p=1", "p=1,"),
      good.replace("v=19", "v=18"),
      good.replace("v=19", "v=019"),
      good.replace("m=256", "m=0256"),
      good.replace("m=256", "m=+256"),
      good.replace("m=256", "m=7"),
      good.replace("m=256,t=2,p=1", "m=256,t=2,p=33"),
      good.replace("p=1", "p=0"),
      good.replace("p=1", "p=16777216"),
      good.replace("t=2", "t=0"),
      good.replace("m=256", "m=4294967295"),
      good.replace("m=256", "m=4294967296"),
      good.replace("$v=19", ""),
      good.replace("c29tZXNhbHQ", "c29tZXNhbHQ="),
      good.replace("c29tZXNhbHQ", "c29tZXNhbHQx"),
      good.replace("c29tZXNhbHQ", "c29tZXNhbHQxM"),
      good.replace("c29tZXNhbHQ", "c29t"),
      good.replace("c29tZXNhbHQ", "c29t.XNhbHQ"),
      good.replace("c29tZXNhbHQ", "c29tZXNhbHR"), // non-zero unused bits
      good.replace(/nf65[^$]*$/, "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/5"),
      good.replace(/\$[^$]*$/, "$nf65"),
      good.replace(/\$[^$]*$/, `$${"A".repeat(3000)}`),
      good.replace("$argon2id$", "$argon2x$"),
      good.replace("$argon2id$", "$ARGON2ID$"),
      `${good}$`,
      ` ${good}`,
      `${good}\n`,
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ",
      "",
    ];
    let bothParsed = 0;
    for (const hash of variants) {
      const ours = readArgon2Params(hash);
      let theirs: ReturnType<typeof parseOptions> | null = null;
      try {
        theirs = parseOptions(hash);
      } catch {
        theirs = null;
      }
      if (ours === null) continue;
      assert.ok(theirs, `we parse what the binding refuses: ${hash}`);
      bothParsed++;
      assert.deepEqual(
        [ours.memoryCost, ours.timeCost, ours.parallelism, ours.saltLen, ours.outputLen],
        [theirs.memoryCost, theirs.timeCost, theirs.parallelism, theirs.saltLen, theirs.outputLen],
        hash,
      );
      // The binding's numbering: Argon2d 0, Argon2i 1, Argon2id 2; version 0x10 is 0, 0x13 is 1.
      assert.equal(["argon2d", "argon2i", "argon2id"].indexOf(ours.variant), theirs.algorithm, hash);
      assert.equal(ours.version === 19 ? 1 : 0, theirs.version, hash);
    }
    assert.ok(bothParsed >= REFERENCE_VECTORS.length + 3, `only ${bothParsed} strings parsed by both`);
  });
});

import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { BCRYPT_MAX_COST, verifyBcrypt } from "../../../src/core/passwords/bcrypt.js";

// [password, hash]: the first five are Openwall crypt_blowfish's published test vectors;
// the rest were made by libxcrypt (Python 3.11 `crypt.crypt`), an independent bcrypt.
const VECTORS: readonly (readonly [string, string])[] = [
  ["U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
  ["U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"],
  ["U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"],
  ["", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"],
  [
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
    "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
  ],
  ["U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
  ["U*U", "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
  ["pässwörd ünïcode €", "$2b$04$Xg1pBdA8l3wS0nQ5yZrT7eicvHqILGHZCzX9ySmiYysTzOcLdmfTe"],
  ["correct horse battery staple", "$2y$10$P7JvJ4cX0yG9Nq3lK2sB4uwvY.K7Qr3wRZUal3X8hiWLUBhDt6RcC"],
];

void describe("bcrypt", () => {
  void it("verifies published and independently generated hashes ($2a$, $2b$, $2y$)", async () => {
    for (const [password, hash] of VECTORS) {
      assert.equal(await verifyBcrypt(hash, password), "match", hash);
    }
  });

  void it("rejects wrong passwords", async () => {
    for (const [password, hash] of VECTORS.slice(0, 4)) {
      assert.equal(await verifyBcrypt(hash, `${password}x`), "mismatch", hash);
    }
    assert.equal(await verifyBcrypt(VECTORS[0]?.[1] ?? "", "u*u"), "mismatch");
  });

  void it("ignores bytes past the 72nd, like every bcrypt", async () => {
    const [password, hash] = VECTORS[4] ?? ["", ""];
    assert.equal(await verifyBcrypt(hash, `${password.slice(0, 72)}something else`), "match");
    assert.equal(await verifyBcrypt(hash, password.slice(0, 71)), "mismatch");
  });

  void it("refuses malformed hashes and out-of-range costs", async () => {
    const good = "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    const malformed = [
      "",
      good.slice(0, -1),
      `${good}A`,
      good.replace("$2b$", "$2x$"), // the crypt_blowfish bug-compatible variant is not accepted
      good.replace("$2b$", "$2$"),
      good.replace("$05$", "$03$"),
      good.replace("$05$", "$5$"),
      good.replace("$05$", `$${BCRYPT_MAX_COST + 1}$`),
      good.replace("CCCC", "CC!C"),
    ];
    for (const hash of malformed) assert.equal(await verifyBcrypt(hash, "U*U"), "malformed", hash);
  });
});

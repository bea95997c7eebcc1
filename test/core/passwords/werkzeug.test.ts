import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { verifyWerkzeugPbkdf2, verifyWerkzeugScrypt } from "../../../src/core/passwords/werkzeug.js";

const PASSWORD = "correct horse battery staple";
const UNICODE_PASSWORD = "pässwörd ünïcode €";

// Made by Werkzeug 3.1.8 `generate_password_hash(password, method=...)`, each re-derived
// with Python's hashlib.pbkdf2_hmac / hashlib.scrypt and accepted by `check_password_hash`.
const PBKDF2_VECTORS: readonly (readonly [string, string])[] = [
  [PASSWORD, "pbkdf2:sha256:1000$I540FWP4n6lItLVU$7a80b7dcc172f1354236962bcc5f3553f091aeea18ec28c4eda880b8058e0e1d"],
  [PASSWORD, "pbkdf2:sha256:600000$zQvUPR1NGUQTUzrU$527e7cb8db995abcd75eca3ca1f13daefc865244c10aed83056721f7f737a405"],
  [UNICODE_PASSWORD, "pbkdf2:sha256:1000$hbVzbtJCPv2ppZr7$c37d77beda62077ccef2fe6120153dde5d696aa141502e19f5e15b2aff642eb1"],
  [PASSWORD, "pbkdf2:sha1:1000$UmQ3QN4Ea5f2aTjP$b4b3a99a27bf78216b9ba1a577e55d5aec153b94"],
  [
    PASSWORD,
    "pbkdf2:sha512:1000$GbdO6T3gt3gdW7b3$bbd93f09c32effa1e31d639c903b3a2f2d7e8f558020935fe23c2f30e0d9c3de9e881db2f44d739be4d8b345a11c1f7aaa9c88c52db80fc3aa0ed6bbebb2d638",
  ],
];

const SCRYPT_VECTORS: readonly (readonly [string, string])[] = [
  [
    PASSWORD,
    "scrypt:32768:8:1$H95eZeCJ57z6tGBC$1820350c93e5f7bf44fd4b876fda6396505f14f873d86e46eab78028a7676cb029bc3d9ac593f39f608013ad93b0419bf628347f8fa529ed35963831ddc34e70",
  ],
  [
    PASSWORD,
    "scrypt:16384:8:1$f1KBLRdPrwzPHeZT$0b1ae382654b27a822ad2c5302b62b4fa7177d4e207af4087e36f9cf5a41e09df86f4237a00807d5d581fb65ca3567fa1f589ab2ea66587911b864be119c2262",
  ],
  [
    UNICODE_PASSWORD,
    "scrypt:1024:8:2$fsyIMamZgSBnU6IT$7227b69cd8ec10c46ef338d1826594305b52a322a1279fb6030d4647c5b23e7c1c196a740402f3be6e851686e55e7e9956b52d35666279e488ba08fd2314227b",
  ],
];

// Strings werkzeug never writes but would read with its defaults; computed with hashlib:
// pbkdf2_hmac("sha256", password, b"Wq3GmX8vKd2LpR7s", 260000) and scrypt(n=32768, r=8, p=1).
const NO_COUNT_PBKDF2_HEX = "4ee4835b657d68fd63f835d7522acfb4e7378d1ab01f41d841c5ffa8fd393d22";
const NO_PARAMS_SCRYPT =
  "scrypt$Wq3GmX8vKd2LpR7s$8cc6fa6afcf5410541dd6404a998f06f4d24dc5a3a3d55c13d913111368fb601de57b0887a901c3b2afed6d64be66e647916faeb3d9e4489aae55f133ffda3bd";

void describe("werkzeug pbkdf2", () => {
  void it("verifies werkzeug-generated hashes (sha256, sha1, sha512, UTF-8 password)", async () => {
    for (const [password, hash] of PBKDF2_VECTORS) {
      assert.equal(await verifyWerkzeugPbkdf2(hash, password), "match", hash);
    }
  });

  void it("rejects a wrong password", async () => {
    for (const [password, hash] of PBKDF2_VECTORS.filter(([, hash]) => hash.includes(":1000$"))) {
      assert.equal(await verifyWerkzeugPbkdf2(hash, password.toUpperCase()), "mismatch", hash);
    }
  });

  void it("reads a hash without an iteration count with the configured default (260000)", async () => {
    const hash = `pbkdf2:sha256$Wq3GmX8vKd2LpR7s$${NO_COUNT_PBKDF2_HEX}`;
    assert.equal(await verifyWerkzeugPbkdf2(hash, PASSWORD), "match");
    assert.equal(await verifyWerkzeugPbkdf2(`pbkdf2$Wq3GmX8vKd2LpR7s$${NO_COUNT_PBKDF2_HEX}`, PASSWORD), "match");
    assert.equal(await verifyWerkzeugPbkdf2(hash, PASSWORD, { defaultIterations: 600_000 }), "mismatch");
  });

  void it("refuses malformed strings", async () => {
    const good = PBKDF2_VECTORS[0]?.[1] ?? "";
    const malformed = [
      "",
      good.toUpperCase().replace("PBKDF2:SHA256", "pbkdf2:sha256"), // werkzeug compares lower-case hex
      good.slice(0, -2),
      good.replace("sha256", "md5"),
      good.replace(":1000$", ":0$"),
      good.replace(":1000$", ":99999999999$"),
      good.replace(":1000$", ":1000:7$"),
      `${good}$00`,
      good.replace("pbkdf2:", "pbkdf3:"),
    ];
    for (const hash of malformed) assert.equal(await verifyWerkzeugPbkdf2(hash, PASSWORD), "malformed", hash);
  });
});

void describe("werkzeug scrypt", () => {
  void it("verifies werkzeug-generated hashes, including its 32768:8:1 default", async () => {
    for (const [password, hash] of SCRYPT_VECTORS) {
      assert.equal(await verifyWerkzeugScrypt(hash, password), "match", hash);
    }
  });

  void it("reads plain `scrypt$` as werkzeug's default parameters", async () => {
    assert.equal(await verifyWerkzeugScrypt(NO_PARAMS_SCRYPT, PASSWORD), "match");
  });

  void it("rejects a wrong password", async () => {
    const [, hash] = SCRYPT_VECTORS[2] ?? ["", ""];
    assert.equal(await verifyWerkzeugScrypt(hash, "passwörd ünïcode €"), "mismatch");
  });

  void it("refuses malformed strings and parameters beyond the memory bound", async () => {
    const good = SCRYPT_VECTORS[2]?.[1] ?? "";
    const malformed = [
      "",
      good.slice(0, -2),
      good.replace("scrypt:1024:8:2", "scrypt:1000:8:2"), // N not a power of two
      good.replace("scrypt:1024:8:2", "scrypt:1:8:2"),
      good.replace("scrypt:1024:8:2", "scrypt:1024:0:2"),
      good.replace("scrypt:1024:8:2", "scrypt:1024:8"),
      good.replace("scrypt:1024:8:2", "scrypt:1048576:16:1"), // 2 GiB
      good.replace("scrypt:1024:8:2", "scrypt:4294967296:8:1"),
    ];
    for (const hash of malformed) assert.equal(await verifyWerkzeugScrypt(hash, UNICODE_PASSWORD), "malformed", hash);
  });
});

import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { identifyHashScheme } from "../../../src/core/passwords/index.js";

void describe("identifyHashScheme", () => {
  void it("names each supported scheme by its prefix", () => {
    const cases = [
      ["$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "argon2id"],
      ["$argon2i$v=19$m=256,t=2,p=1$c2FsdA$aGFzaA", "argon2i"],
      ["$argon2d$v=16$m=8,t=1,p=1$c2FsdA$aGFzaA", "argon2d"],
      ["$2a$10$abcdefghijklmnopqrstuu", "bcrypt"],
      ["$2b$12$abcdefghijklmnopqrstuu", "bcrypt"],
      ["$2y$10$abcdefghijklmnopqrstuu", "bcrypt"],
      ["$5$rounds=535000$salt$hash", "sha256-crypt"],
      ["$6$salt$hash", "sha512-crypt"],
      ["pbkdf2:sha256:600000$salt$hex", "werkzeug-pbkdf2"],
      ["pbkdf2:sha256$salt$hex", "werkzeug-pbkdf2"],
      ["pbkdf2$salt$hex", "werkzeug-pbkdf2"],
      ["scrypt:32768:8:1$salt$hex", "werkzeug-scrypt"],
      ["scrypt$salt$hex", "werkzeug-scrypt"],
    ] as const;
    for (const [hash, scheme] of cases) assert.equal(identifyHashScheme(hash), scheme, hash);
  });

  void it("returns null for anything else", () => {
    for (const hash of ["", "password", "$1$salt$hash", "$2x$05$abc", "$argon2$", "$7$salt", "sha1$salt$hex", "PBKDF2:sha256:1$s$h", " $6$salt$hash"]) {
      assert.equal(identifyHashScheme(hash), null, hash);
    }
  });
});

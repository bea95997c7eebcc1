import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, checkPasswordPolicy, isCommonPassword } from "../../../src/core/passwords/index.js";

void describe("checkPasswordPolicy", () => {
  void it("accepts 8 to 1024 characters that are not common", () => {
    assert.equal(PASSWORD_MIN_LENGTH, 8);
    assert.equal(PASSWORD_MAX_LENGTH, 1024);
    assert.deepEqual(checkPasswordPolicy("k3#vQ9!x"), { ok: true });
    assert.deepEqual(checkPasswordPolicy("correct horse battery staple"), { ok: true });
    assert.deepEqual(checkPasswordPolicy("z".repeat(1023) + "q"), { ok: true });
  });

  void it("refuses fewer than 8 characters", () => {
    const result = checkPasswordPolicy("k3#vQ9!");
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, "too_short");
    assert.equal(checkPasswordPolicy("").ok, false);
  });

  void it("refuses more than 1024 characters", () => {
    const result = checkPasswordPolicy("z".repeat(1025));
    assert.equal(!result.ok && result.reason, "too_long");
    assert.equal(checkPasswordPolicy("z".repeat(5_000_000)).ok, false);
  });

  void it("counts Unicode code points, not UTF-16 units or bytes", () => {
    // Seven astral characters are 14 UTF-16 units and 28 bytes, but 7 characters.
    const sevenEmoji = "🔐🔑🔒🔓🧷🧩🎲";
    assert.equal(sevenEmoji.length, 14);
    const result = checkPasswordPolicy(sevenEmoji);
    assert.equal(!result.ok && result.reason, "too_short");
    assert.deepEqual(checkPasswordPolicy(`${sevenEmoji}🎯`), { ok: true });
    assert.deepEqual(checkPasswordPolicy("é".repeat(1024)), { ok: true }); // 2048 bytes
    assert.equal(checkPasswordPolicy("😀".repeat(1025)).ok, false);
    assert.deepEqual(checkPasswordPolicy("😀".repeat(1024)), { ok: true });
  });

  void it("refuses common passwords whatever their case", () => {
    for (const password of ["password", "PASSWORD", "Password1", "iloveyou", "qwertyuiop", "1qaz2wsx", "trustno1"]) {
      const result = checkPasswordPolicy(password);
      assert.equal(!result.ok && result.reason, "common", password);
    }
  });

  void it("never echoes the password in its message", () => {
    for (const password of ["short", "Password1", "z".repeat(1025)]) {
      const result = checkPasswordPolicy(password);
      assert.ok(!result.ok);
      if (!result.ok) assert.ok(!result.message.includes(password.slice(0, 5)), result.message);
    }
  });
});

void describe("isCommonPassword", () => {
  void it("knows the most common passwords, short ones included", () => {
    for (const password of ["123456", "password", "12345678", "qwerty", "abc123", "letmein", "football", "Superman"]) {
      assert.equal(isCommonPassword(password), true, password);
    }
  });

  void it("folds full-width look-alikes before comparing", () => {
    assert.equal(isCommonPassword("ｐａｓｓｗｏｒｄ"), true);
  });

  void it("does not flag uncommon passwords", () => {
    for (const password of ["correct horse battery staple", "k3#vQ9!x", "Tr0ub4dor&3-but-longer", ""]) {
      assert.equal(isCommonPassword(password), false, password);
    }
  });
});

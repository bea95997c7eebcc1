import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readHeaderToken } from "../../../src/core/credentials/index.js";

void describe("readHeaderToken", () => {
  void it("reads the token and trims OWS", () => {
    assert.deepEqual(readHeaderToken(" eyJ.abc.def "), { ok: true, token: "eyJ.abc.def" });
  });

  void it("answers null when absent or blank", () => {
    assert.equal(readHeaderToken(undefined), null);
    assert.equal(readHeaderToken(""), null);
    assert.equal(readHeaderToken(" \t "), null);
  });

  void it("answers token_malformed for two values, joined values or stray characters", () => {
    for (const value of ["abc def", "abc, def", "abc\u00e9"]) {
      const result = readHeaderToken(value);
      assert.ok(result !== null && !result.ok, value);
      assert.equal(result.code, "token_malformed");
    }
  });
});

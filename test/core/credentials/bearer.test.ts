import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readBearerToken } from "../../../src/core/credentials/index.js";

function expectMalformed(value: string, scheme?: string): void {
  const result = readBearerToken(value, scheme === undefined ? {} : { scheme });
  assert.ok(result !== null && !result.ok, `expected token_malformed for ${JSON.stringify(value)}`);
  assert.equal(result.code, "token_malformed");
}

void describe("readBearerToken", () => {
  void it("reads a Bearer token", () => {
    assert.deepEqual(readBearerToken("Bearer eyJhbGciOi.eyJzdWIi.sig-_~+/=="), {
      ok: true,
      token: "eyJhbGciOi.eyJzdWIi.sig-_~+/==",
    });
  });

  void it("matches the scheme case-insensitively (RFC 9110 11.1)", () => {
    for (const scheme of ["bearer", "BEARER", "BeArEr"]) {
      assert.deepEqual(readBearerToken(`${scheme} abc`), { ok: true, token: "abc" });
    }
  });

  void it("supports other scheme names: Token, JWT, custom", () => {
    assert.deepEqual(readBearerToken("Token abc", { scheme: "Token" }), { ok: true, token: "abc" });
    assert.deepEqual(readBearerToken("jwt abc", { scheme: "JWT" }), { ok: true, token: "abc" });
    assert.deepEqual(readBearerToken("X-Custom abc", { scheme: "X-Custom" }), { ok: true, token: "abc" });
  });

  void it("answers null when absent or another scheme is used", () => {
    assert.equal(readBearerToken(undefined), null);
    assert.equal(readBearerToken(""), null);
    assert.equal(readBearerToken("Basic YTpi"), null);
    assert.equal(readBearerToken("Bearer abc", { scheme: "Token" }), null);
    assert.equal(readBearerToken("Bearerabc"), null);
  });

  void it("answers token_malformed for a scheme without a token", () => {
    expectMalformed("Bearer");
    expectMalformed("Token   ", "Token");
  });

  void it("answers token_malformed for two tokens or a comma-joined list (the HTTP layer tells two fields apart)", () => {
    expectMalformed("Bearer abc def");
    expectMalformed("Bearer abc, Bearer def");
  });

  void it("answers token_malformed for characters outside token68", () => {
    expectMalformed("Bearer abc$def");
    expectMalformed('Bearer "abc"');
    expectMalformed("Bearer =abc");
    expectMalformed("Bearer ab=c");
  });

  void it("answers null (no Bearer credential) for an unparseable Authorization header", () => {
    assert.equal(readBearerToken("@@@"), null);
  });

  void it("never puts the token in the failure detail", () => {
    const result = readBearerToken("Bearer secret-part other-part");
    assert.ok(result !== null && !result.ok);
    assert.ok(!result.detail?.includes("secret-part"));
  });

  void it("throws on a scheme option that is not an HTTP token (misuse)", () => {
    assert.throws(() => readBearerToken("Bearer abc", { scheme: "Be arer" }), TypeError);
    assert.throws(() => readBearerToken("Bearer abc", { scheme: "" }), TypeError);
  });
});

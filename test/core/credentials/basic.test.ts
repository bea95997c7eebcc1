import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readBasicCredentials } from "../../../src/core/credentials/index.js";

const encode = (value: string): string => Buffer.from(value, "utf8").toString("base64");

function expectMalformed(value: string): void {
  const result = readBasicCredentials(value);
  assert.ok(result !== null && !result.ok, `expected token_malformed for ${JSON.stringify(value)}`);
  assert.equal(result.code, "token_malformed");
}

void describe("readBasicCredentials", () => {
  void it("decodes user-id and password", () => {
    assert.deepEqual(readBasicCredentials(`Basic ${encode("alice:s3cret")}`), {
      ok: true,
      username: "alice",
      password: "s3cret",
    });
  });

  void it("matches the scheme case-insensitively", () => {
    assert.deepEqual(readBasicCredentials(`basic ${encode("a:b")}`), { ok: true, username: "a", password: "b" });
  });

  void it("splits at the first colon: passwords may contain colons", () => {
    assert.deepEqual(readBasicCredentials(`Basic ${encode("bob:pa:ss:word")}`), {
      ok: true,
      username: "bob",
      password: "pa:ss:word",
    });
  });

  void it("decodes UTF-8 (RFC 7617 charset)", () => {
    assert.deepEqual(readBasicCredentials(`Basic ${encode("jürgen:pässwörd✓")}`), {
      ok: true,
      username: "jürgen",
      password: "pässwörd✓",
    });
  });

  void it("accepts a token as username with an empty or ignored password (the Udacity tutorial)", () => {
    const token = "eyJhbGciOiJIUzUxMiJ9.eyJpZCI6MX0.c2ln";
    assert.deepEqual(readBasicCredentials(`Basic ${encode(`${token}:`)}`), { ok: true, username: token, password: "" });
    assert.deepEqual(readBasicCredentials(`Basic ${encode(`${token}:unused`)}`), {
      ok: true,
      username: token,
      password: "unused",
    });
  });

  void it("tolerates missing base64 padding", () => {
    assert.deepEqual(readBasicCredentials("Basic YTpi"), { ok: true, username: "a", password: "b" });
    assert.deepEqual(readBasicCredentials("Basic YWI6Yw"), { ok: true, username: "ab", password: "c" });
  });

  void it("answers null when absent or another scheme is used", () => {
    assert.equal(readBasicCredentials(undefined), null);
    assert.equal(readBasicCredentials("Bearer abc"), null);
  });

  void it("answers token_malformed for malformed credentials", () => {
    expectMalformed("Basic");
    expectMalformed("Basic !!!notbase64");
    expectMalformed("Basic YTpi=");
    expectMalformed("Basic Y");
    expectMalformed(`Basic ${encode("no-colon")}`);
    expectMalformed(`Basic ${encode("a:b")} extra`);
    expectMalformed(`Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString("base64")}`);
    expectMalformed(`Basic ${encode("a:b\nc")}`);
    expectMalformed(`Basic ${encode("a\u0000:b")}`);
  });
});

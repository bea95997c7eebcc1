import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readAuthorization } from "../../../src/core/credentials/index.js";

void describe("readAuthorization", () => {
  void it("splits scheme and credentials", () => {
    assert.deepEqual(readAuthorization("Bearer abc.def"), { ok: true, scheme: "Bearer", credentials: "abc.def" });
  });

  void it("keeps the scheme as written (callers compare case-insensitively)", () => {
    assert.deepEqual(readAuthorization("bEaReR x"), { ok: true, scheme: "bEaReR", credentials: "x" });
  });

  void it("allows several spaces after the scheme and trims OWS", () => {
    assert.deepEqual(readAuthorization(" \tToken   abc \t"), { ok: true, scheme: "Token", credentials: "abc" });
  });

  void it("gives empty credentials for a bare scheme", () => {
    assert.deepEqual(readAuthorization("Bearer"), { ok: true, scheme: "Bearer", credentials: "" });
  });

  void it("keeps auth-param credentials whole", () => {
    assert.deepEqual(readAuthorization('Digest username="a", realm="b"'), {
      ok: true,
      scheme: "Digest",
      credentials: 'username="a", realm="b"',
    });
  });

  void it("answers null when absent or blank", () => {
    assert.equal(readAuthorization(undefined), null);
    assert.equal(readAuthorization(null), null);
    assert.equal(readAuthorization(""), null);
    assert.equal(readAuthorization("   "), null);
  });

  void it("answers null (no credential of any scheme) when the scheme is not an HTTP token", () => {
    for (const value of ["@@@ abc", "Bea(rer abc", '"Bearer" abc', "Bearer\tabc"]) {
      assert.equal(readAuthorization(value), null, value);
    }
  });
});

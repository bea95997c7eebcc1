import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatBasicChallenge,
  formatBearerChallenge,
  formatChallenge,
  joinChallenges,
} from "../../src/http/challenge.js";

void describe("formatBearerChallenge (RFC 6750 3)", () => {
  void it("is just the realm when there is no error", () => {
    assert.equal(formatBearerChallenge({ realm: "tessera" }), 'Bearer realm="tessera"');
  });

  void it("adds error and error_description for a bad token", () => {
    assert.equal(
      formatBearerChallenge({ realm: "tessera", error: "invalid_token", errorDescription: "The access token expired" }),
      'Bearer realm="tessera", error="invalid_token", error_description="The access token expired"',
    );
  });

  void it("adds the required scope for insufficient_scope", () => {
    assert.equal(
      formatBearerChallenge({ realm: "tessera", error: "insufficient_scope", scope: ["posts:write"] }),
      'Bearer realm="tessera", error="insufficient_scope", scope="posts:write"',
    );
  });

  void it("uses another scheme name", () => {
    assert.equal(formatBearerChallenge({ scheme: "Token", realm: "api" }), 'Token realm="api"');
  });

  void it("keeps error_description inside the RFC 6750 character set", () => {
    const header = formatBearerChallenge({
      realm: "tessera",
      error: "invalid_token",
      errorDescription: 'bad "token"\\ \r\nX-Injected: 1 é',
    });
    assert.equal(
      header,
      "Bearer realm=\"tessera\", error=\"invalid_token\", error_description=\"bad 'token'? ??X-Injected: 1 ?\"",
    );
  });
});

void describe("formatBasicChallenge (RFC 7617)", () => {
  void it("announces UTF-8", () => {
    assert.equal(formatBasicChallenge({ realm: "tessera" }), 'Basic realm="tessera", charset="UTF-8"');
  });
});

void describe("formatChallenge", () => {
  void it("escapes quotes and backslashes in quoted-strings", () => {
    assert.equal(
      formatChallenge({ scheme: "Bearer", params: { realm: 'my "realm" \\ x' } }),
      'Bearer realm="my \\"realm\\" \\\\ x"',
    );
  });

  void it("cannot be made to split the header", () => {
    const header = formatChallenge({ scheme: "Bearer", params: { realm: "a\r\nSet-Cookie: x" } });
    assert.ok(!/[\r\n]/.test(header));
  });

  void it("leaves out undefined params and keeps order", () => {
    assert.equal(
      formatChallenge({ scheme: "ApiKey", params: { realm: "r", header: "api-token", error: undefined } }),
      'ApiKey realm="r", header="api-token"',
    );
  });

  void it("rejects a scheme that is not an HTTP token", () => {
    assert.throws(() => formatChallenge({ scheme: "Bad Scheme" }), TypeError);
  });

  void it("joins several challenges into one value", () => {
    assert.equal(joinChallenges(['Token realm="x"', 'Basic realm="x"']), 'Token realm="x", Basic realm="x"');
  });
});

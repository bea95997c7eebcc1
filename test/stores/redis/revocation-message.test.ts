import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RevocationRecord } from "../../../src/core/token-store.js";
import { formatRevocationMessage, parseRevocationMessage } from "../../../src/stores/redis/revocation-message.js";

const record: RevocationRecord = { kind: "sid", value: "42", revokedAt: 1_700_000_000_000, expiresAt: 1_700_000_960_000 };

describe("revocation messages", () => {
  test("round-trips every kind", () => {
    for (const kind of ["jti", "sid", "user", "token"] as const) {
      const sent = { ...record, kind };
      assert.deepEqual(parseRevocationMessage(formatRevocationMessage(sent)), sent);
    }
  });

  test("carries whose tokens an entry covers, except on a user-wide entry", () => {
    const owned = { ...record, userId: "user-7" };
    assert.deepEqual(parseRevocationMessage(formatRevocationMessage(owned)), owned);
    const userWide = { ...record, kind: "user" as const, value: "user-7" };
    assert.deepEqual(parseRevocationMessage(formatRevocationMessage({ ...userWide, userId: "user-7" })), userWide);
  });

  test("sends only the record's fields", () => {
    const extra = { ...record, secret: "nope" } as RevocationRecord;
    assert.deepEqual(Object.keys(JSON.parse(formatRevocationMessage(extra)) as object).sort(), ["expiresAt", "kind", "revokedAt", "value"]);
  });

  const rejected: [string, string][] = [
    ["not JSON", "{kind:"],
    ["an array", JSON.stringify([record])],
    ["null", "null"],
    ["a string", JSON.stringify("sid")],
    ["an unknown kind", JSON.stringify({ ...record, kind: "everything" })],
    ["an empty value", JSON.stringify({ ...record, value: "" })],
    ["a numeric value", JSON.stringify({ ...record, value: 42 })],
    ["an overlong value", JSON.stringify({ ...record, value: "x".repeat(257) })],
    ["a string timestamp", JSON.stringify({ ...record, revokedAt: "1700000000000" })],
    ["a fractional timestamp", JSON.stringify({ ...record, expiresAt: 1.5 })],
    ["a negative timestamp", JSON.stringify({ ...record, revokedAt: -1 })],
    ["a missing expiry", JSON.stringify({ kind: "sid", value: "42", revokedAt: 1 })],
    ["a numeric owner", JSON.stringify({ ...record, userId: 7 })],
    ["an empty owner", JSON.stringify({ ...record, userId: "" })],
    ["an oversized message", JSON.stringify({ ...record, padding: "x".repeat(2000) })],
  ];
  for (const [name, message] of rejected) {
    test(`drops ${name}`, () => {
      assert.equal(parseRevocationMessage(message), null);
    });
  }
});

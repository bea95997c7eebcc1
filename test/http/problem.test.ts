import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ERROR_CODES } from "../../src/core/errors.js";
import { PROBLEMS, problemFor, statusForCode } from "../../src/http/problem.js";

const EXPECTED_STATUS: Record<string, number> = {
  token_missing: 401,
  token_malformed: 401,
  token_expired: 401,
  token_revoked: 401,
  token_invalid: 401,
  credentials_invalid: 401,
  invalid_client: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  validation_failed: 400,
  invalid_request: 400,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  username_taken: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  backend_unavailable: 503,
  method_not_allowed: 405,
  internal_error: 500,
};

void describe("PROBLEMS table", () => {
  void it("covers exactly ERROR_CODES", () => {
    assert.deepEqual(Object.keys(PROBLEMS).sort(), [...ERROR_CODES].sort());
  });

  void it("maps every code to the contract's status", () => {
    assert.deepEqual(Object.keys(EXPECTED_STATUS).sort(), [...ERROR_CODES].sort());
    for (const code of ERROR_CODES) assert.equal(statusForCode(code), EXPECTED_STATUS[code], code);
  });

  void it("gives every code a title and a default detail", () => {
    for (const code of ERROR_CODES) {
      assert.ok(PROBLEMS[code].title.length > 0, code);
      assert.ok(PROBLEMS[code].detail.length > 0, code);
    }
  });
});

void describe("problemFor", () => {
  void it("builds an RFC 9457 body with the stable code", () => {
    assert.deepEqual(problemFor("token_expired"), {
      status: 401,
      body: {
        type: "about:blank",
        title: "Unauthorized",
        status: 401,
        code: "token_expired",
        detail: "The access token expired",
      },
    });
  });

  void it("takes a detail and extension members", () => {
    const errors = [{ field: "password", message: "too short" }];
    const problem = problemFor("validation_failed", { detail: "Fix the fields", extra: { errors } });
    assert.equal(problem.status, 400);
    assert.equal(problem.body.detail, "Fix the fields");
    assert.deepEqual(problem.body["errors"], errors);
  });

  void it("does not let extensions override the standard members", () => {
    const problem = problemFor("forbidden", { extra: { status: 200, code: "ok", type: "x", title: "y", detail: "z" } });
    assert.equal(problem.body.status, 403);
    assert.equal(problem.body.code, "forbidden");
    assert.equal(problem.body.type, "about:blank");
    assert.equal(problem.body.title, "Forbidden");
    assert.equal(problem.body.detail, PROBLEMS.forbidden.detail);
  });
});

void describe("docs/errors.md", () => {
  const markdown = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  const rows = [...markdown.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => ({
    code: m[1] ?? "",
    status: Number(m[2]),
  }));

  void it("lists exactly ERROR_CODES, once each", () => {
    const listed = rows.map((row) => row.code);
    assert.equal(new Set(listed).size, listed.length, "a code is listed twice");
    assert.deepEqual([...listed].sort(), [...ERROR_CODES].sort());
  });

  void it("states the status PROBLEMS gives each code", () => {
    for (const row of rows) {
      assert.equal(row.status, statusForCode(row.code as (typeof ERROR_CODES)[number]), row.code);
    }
  });
});

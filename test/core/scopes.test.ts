import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatScope,
  hasScopes,
  isScopeToken,
  missingScopes,
  narrowScope,
  normalizeScopes,
  parseScope,
} from "../../src/core/scopes.js";

void describe("parseScope", () => {
  void it("splits on spaces, dedupes and sorts", () => {
    assert.deepEqual(parseScope("posts:write posts:read posts:write"), {
      ok: true,
      scopes: ["posts:read", "posts:write"],
    });
  });

  void it("tolerates runs of spaces and surrounding spaces", () => {
    assert.deepEqual(parseScope("  users:read   posts:read "), { ok: true, scopes: ["posts:read", "users:read"] });
  });

  void it("parses the empty string as no scopes", () => {
    assert.deepEqual(parseScope(""), { ok: true, scopes: [] });
  });

  void it("rejects characters outside the RFC 6749 scope-token set", () => {
    for (const bad of ['posts"read', "posts\\read", "posts\tread", "pösts", "a\nb"]) {
      const result = parseScope(bad);
      assert.equal(result.ok, false, bad);
      if (!result.ok) assert.equal(result.code, "invalid_scope");
    }
  });

  void it("accepts the edges of the scope-token set", () => {
    assert.equal(isScopeToken("!#[]~"), true);
    assert.equal(isScopeToken(""), false);
    assert.equal(isScopeToken("a b"), false);
  });
});

void describe("normalizeScopes / formatScope", () => {
  void it("orders by code unit, independent of locale", () => {
    assert.deepEqual(normalizeScopes(["b", "B", "a", "b"]), ["B", "a", "b"]);
  });

  void it("formats strings and arrays alike", () => {
    assert.equal(formatScope("posts:write posts:read"), "posts:read posts:write");
    assert.equal(formatScope(["posts:write", "posts:read", "posts:read"]), "posts:read posts:write");
    assert.equal(formatScope([]), "");
  });
});

void describe("hasScopes / missingScopes", () => {
  void it("is true when every required scope is granted", () => {
    assert.equal(hasScopes("posts:read posts:write", ["posts:write"]), true);
    assert.equal(hasScopes(["posts:read"], "posts:read posts:write"), false);
  });

  void it("requires nothing when nothing is required", () => {
    assert.equal(hasScopes("", []), true);
  });

  void it("lists exactly the missing scopes, normalised", () => {
    assert.deepEqual(missingScopes("posts:read", "users:write posts:write posts:read"), ["posts:write", "users:write"]);
    assert.deepEqual(missingScopes("a b", "a"), []);
  });

  void it("does not treat a prefix as a grant", () => {
    assert.equal(hasScopes("posts", ["posts:write"]), false);
  });
});

void describe("narrowScope", () => {
  const allowed = "users:read posts:read posts:write";

  void it("grants everything allowed when nothing is requested", () => {
    assert.deepEqual(narrowScope(undefined, allowed), {
      ok: true,
      scopes: ["posts:read", "posts:write", "users:read"],
      scope: "posts:read posts:write users:read",
    });
    assert.deepEqual(narrowScope("", allowed), narrowScope(undefined, allowed));
  });

  void it("grants a subset", () => {
    assert.deepEqual(narrowScope("posts:read", allowed), { ok: true, scopes: ["posts:read"], scope: "posts:read" });
  });

  void it("refuses a scope that is not allowed with invalid_scope naming it", () => {
    const result = narrowScope("posts:read tokens:introspect", allowed);
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, "invalid_scope");
      assert.deepEqual(result.invalid, ["tokens:introspect"]);
    }
  });

  void it("refuses a malformed scope request", () => {
    const result = narrowScope('posts:read "x"', allowed);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, "invalid_scope");
  });
});

// Property-based fuzzing (fast-check) of every parser an attacker's input reaches: base64url JWS
// segments and whole JWTs, the Authorization header of every scheme, Basic credentials, scope
// strings, opaque-token checksums, the configuration's durations, limits and sizes, and the
// pagination parameters over HTTP. Properties: nothing throws what it should not, nothing the
// strict grammar refuses is accepted, and what should round-trip does. Each property runs a
// fixed number of cases from a fixed seed, so a run is repeatable; a failure prints its seed
// and the shrunk counterexample.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { ConfigError } from "../../src/core/errors.js";
import { readAuthorization } from "../../src/core/credentials/authorization.js";
import { readBasicCredentials } from "../../src/core/credentials/basic.js";
import { readBearerToken } from "../../src/core/credentials/bearer.js";
import { readHeaderToken } from "../../src/core/credentials/header-token.js";
import { TOKEN68 } from "../../src/core/credentials/syntax.js";
import { decodeCanonicalBase64url, encodeBase64url, isCanonicalBase64url } from "../../src/core/jwt/base64url.js";
import { formatScope, isScopeToken, parseScope } from "../../src/core/scopes.js";
import { assembleOpaqueToken, hasValidChecksum } from "../../src/core/tokens/opaque-token.js";
import { parseByteSize, parseDurationSeconds, parseRateLimit } from "../../src/server/config.js";
import { createFixture, type Fixture } from "../auth/helpers.js";
import { bearer, login, makeApp, register } from "../server/helpers.js";

const RUNS = { numRuns: 500, seed: 20261204 } as const;

/** Header-ish text: any Unicode, plus the characters HTTP parsers trip on. */
const headerText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(..." \t\",=:;/+-._~abcXYZ019Basic Bearer Token JWT".split("")), maxLength: 60 }),
);

function isFailureOrNull(result: unknown, codes: readonly string[]): boolean {
  if (result === null) return true;
  const value = result as { ok?: unknown; code?: unknown; detail?: unknown };
  return value.ok === false && typeof value.code === "string" && codes.includes(value.code) && typeof value.detail === "string";
}

void describe("property: base64url JWS segments", () => {
  void it("every byte string encodes to one canonical spelling that decodes back to it", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
        const encoded = encodeBase64url(bytes);
        assert.equal(isCanonicalBase64url(encoded), true);
        assert.deepEqual(decodeCanonicalBase64url(encoded), Buffer.from(bytes));
      }),
      RUNS,
    );
  });

  void it("a string is accepted only if it is the canonical encoding of what it decodes to", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: fc.constantFrom(..."AZaz09-_+/=. QRgw".split("")), maxLength: 24 }), fc.string({ maxLength: 24 })), (segment) => {
        const decoded = decodeCanonicalBase64url(segment);
        if (decoded !== null) assert.equal(encodeBase64url(decoded), segment);
      }),
      RUNS,
    );
  });
});

void describe("property: the Authorization header", () => {
  void it("no reader throws, and each answers a credential, null, or token_malformed", () => {
    fc.assert(
      fc.property(headerText, (header) => {
        for (const result of [readAuthorization(header), readBearerToken(header), readBearerToken(header, { scheme: "Token" }), readBasicCredentials(header), readHeaderToken(header)]) {
          assert.ok(result === null || result.ok === true || isFailureOrNull(result, ["token_malformed"]), JSON.stringify(result));
        }
      }),
      RUNS,
    );
  });

  void it("a Bearer token is accepted exactly when it is token68, and comes back unchanged", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: fc.constantFrom(..."Aa09-._~+/= \"\t,".split("")), minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 20 })), (token) => {
        const result = readBearerToken(`Bearer ${token}`);
        // RFC 9110 11.6.2: the scheme and the credentials are separated by spaces (1*SP, not
        // tabs); the field value itself loses surrounding whitespace (OWS).
        const trimmed = token.replace(/[ \t]+$/, "").replace(/^ +/, "");
        if (result?.ok === true) {
          assert.ok(TOKEN68.test(result.token), `accepted a token outside token68: ${JSON.stringify(result.token)}`);
          assert.equal(result.token, trimmed);
        } else if (TOKEN68.test(trimmed)) {
          assert.fail(`refused a token68 token: ${JSON.stringify(token)} -> ${JSON.stringify(result)}`);
        }
      }),
      RUNS,
    );
  });

  void it("Basic credentials round-trip for every user-id without a colon and any password without control characters", () => {
    // eslint-disable-next-line no-control-regex -- excluding control characters is the point
    const noControl = fc.string({ unit: "grapheme", maxLength: 24 }).filter((text) => !/[\u0000-\u001f\u007f]/.test(text));
    fc.assert(
      fc.property(noControl.filter((user) => !user.includes(":")), noControl, (username, password) => {
        const header = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
        assert.deepEqual(readBasicCredentials(header), { ok: true, username, password });
      }),
      RUNS,
    );
  });
});

void describe("property: scope strings", () => {
  const scopeToken = fc.string({ unit: fc.constantFrom(..."abcxyz:._-!#~0123456789".split("")), minLength: 1, maxLength: 12 });

  void it("parseScope never throws; what it accepts is scope-tokens only, and printing it parses back the same", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (value) => {
        const parsed = parseScope(value);
        if (!parsed.ok) return;
        assert.ok(parsed.scopes.every(isScopeToken));
        assert.deepEqual(parseScope(formatScope(parsed.scopes)), parsed);
      }),
      RUNS,
    );
  });

  void it("any list of scope-tokens, spaced any way, parses to the same set", () => {
    fc.assert(
      fc.property(fc.array(scopeToken.filter(isScopeToken), { maxLength: 8 }), fc.constantFrom(" ", "  ", "   "), (scopes, gap) => {
        const parsed = parseScope(` ${scopes.join(gap)} `);
        assert.ok(parsed.ok);
        assert.deepEqual(new Set(parsed.scopes), new Set(scopes));
      }),
      RUNS,
    );
  });
});

void describe("property: opaque-token checksums", () => {
  const prefixes = ["tsr_pat_", "tsr_rt_", "tsr_cs_", "tsr_api_"] as const;

  void it("every assembled token passes, and any one-character change to it fails", () => {
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(), fc.constantFrom(..."Aa0_-zQ".split("")), (prefix, secret, at, replacement) => {
        const token = assembleOpaqueToken(prefix, Buffer.from(secret));
        assert.equal(hasValidChecksum(token, prefix), true);
        const index = prefix.length + (at % (token.length - prefix.length));
        if (token[index] === replacement) return;
        const changed = token.slice(0, index) + replacement + token.slice(index + 1);
        assert.equal(hasValidChecksum(changed, prefix), false, `${token} -> ${changed}`);
      }),
      RUNS,
    );
  });

  void it("arbitrary strings never throw and almost never pass", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (value) => {
        assert.equal(hasValidChecksum(value, "tsr_pat_"), false);
      }),
      RUNS,
    );
  });
});

void describe("property: configuration values", () => {
  const configText = fc.oneof(
    fc.string({ maxLength: 24 }),
    fc.tuple(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.bigInt({ min: 0n, max: 10n ** 30n })), fc.constantFrom("", "s", "m", "h", "d", "kb", "mb", "x", "/1m", "/15m", "/")).map(([n, unit]) => `${n}${unit}`),
    fc.constantFrom("off", "OFF", " 10/15m ", "0", "0s", "1/0s", "-1", "1e3", "0x10"),
  );

  function expectNumberOrConfigError(parse: () => unknown, check: (value: unknown) => boolean): void {
    let value: unknown;
    try {
      value = parse();
    } catch (error) {
      assert.ok(error instanceof ConfigError, `threw ${String(error)}`);
      return;
    }
    assert.ok(check(value), `returned ${JSON.stringify(value)}`);
  }

  const positiveSafe = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value > 0;
  // Durations end up in milliseconds: those must stay exact too.
  const exactInMs = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value * 1000);

  void it("durations, rate limits and byte sizes are positive safe integers, or a ConfigError", () => {
    fc.assert(
      fc.property(configText, (value) => {
        expectNumberOrConfigError(() => parseDurationSeconds(value, "TESSERA_X"), (seconds) => positiveSafe(seconds) && exactInMs(seconds));
        expectNumberOrConfigError(
          () => parseDurationSeconds(value, "TESSERA_X", { allowZero: true }),
          (seconds) => typeof seconds === "number" && Number.isSafeInteger(seconds) && seconds >= 0,
        );
        expectNumberOrConfigError(
          () => parseRateLimit(value, "TESSERA_X"),
          (limit) => limit === null || (positiveSafe((limit as { points: unknown }).points) && positiveSafe((limit as { durationSeconds: unknown }).durationSeconds)),
        );
        expectNumberOrConfigError(() => parseByteSize(value, "TESSERA_X"), positiveSafe);
      }),
      RUNS,
    );
  });
});

void describe("property: whole tokens and pagination, end to end", () => {
  let fixture: Fixture;
  let app: FastifyInstance;
  let headers: { authorization: string };
  before(async () => {
    fixture = await createFixture();
    app = await makeApp();
    await register(app, "paginator");
    headers = bearer((await login(app, "paginator")).access_token);
  });
  after(async () => {
    await app.close();
    await fixture.close();
  });

  void it("verify() refuses every forged or mangled token with a token code, and never throws", async () => {
    const { accessToken } = fixture.tessera.issueAccessToken("user-1", { scope: "notes:read" });
    const mangled = fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([at, insert]) => {
      const index = at % (accessToken.length + 1);
      return accessToken.slice(0, index) + insert + accessToken.slice(index + 1);
    });
    const jwtShaped = fc
      .tuple(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 70 }))
      .map((parts) => parts.map((part) => encodeBase64url(part)).join("."));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mangled, jwtShaped, fc.string({ maxLength: 120 }), fc.constant(`tsr_pat_${randomBytes(36).toString("base64url")}`)), async (token) => {
        const result = await fixture.tessera.verify(token);
        if (result.ok) {
          assert.equal(token, accessToken, "only the issued token itself is accepted");
          return;
        }
        assert.ok(["token_malformed", "token_invalid", "token_expired", "token_revoked"].includes(result.code), result.code);
      }),
      { ...RUNS, numRuns: 300 },
    );
  });

  void it("page and per_page: any query string is a 200 page or a 400 problem, never a 5xx", async () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String), fc.string({ maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(value, value, async (page, perPage) => {
        const response = await app.inject({ method: "GET", url: "/api/posts", query: { page, per_page: perPage }, headers });
        assert.ok(response.statusCode === 200 || response.statusCode === 400, `${response.statusCode} for page=${JSON.stringify(page)} per_page=${JSON.stringify(perPage)}`);
        if (response.statusCode === 400) assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
      }),
      { ...RUNS, numRuns: 200 },
    );
  });
});

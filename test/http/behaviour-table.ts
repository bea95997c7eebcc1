// ONE behaviour table for every adapter: the same requests must get the same status, code,
// WWW-Authenticate and body from Fastify, Express and Hono, over real HTTP.
import * as assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { BackendUnavailableError, type ErrorCode } from "../../src/core/errors.js";
import {
  basicScheme,
  bearerScheme,
  headerScheme,
  PROBLEMS,
  type GuardFailure,
  type FailureResponse,
  type GuardOptions,
  type VerifyResult,
} from "../../src/http/index.js";

/** The `auth` object the test app chooses; every adapter must hand the same one to handlers. */
export interface TestAuth {
  userId: number;
  scope: string;
  via: "token" | "password";
}

const GOOD: TestAuth = { userId: 1, scope: "posts:read", via: "token" };
const WRITER: TestAuth = { userId: 2, scope: "posts:read posts:write", via: "token" };
const ALICE: TestAuth = { userId: 3, scope: "posts:read", via: "password" };
const JURGEN: TestAuth = { userId: 4, scope: "posts:read", via: "password" };

async function verifyToken(token: string): Promise<VerifyResult<TestAuth>> {
  await Promise.resolve();
  switch (token) {
    case "good-token":
      return { ok: true, auth: GOOD };
    case "writer-token":
      return { ok: true, auth: WRITER };
    case "expired-token":
      return { ok: false, code: "token_expired" };
    case "revoked-token":
      return { ok: false, code: "token_revoked" };
    case "chatty-token":
      return { ok: false, code: "token_invalid", detail: "no such token: chatty-token" };
    case "down-token":
      throw new BackendUnavailableError("database");
    default:
      return { ok: false, code: "token_invalid" };
  }
}

function verifyPassword(username: string, password: string): VerifyResult<TestAuth> {
  if (username === "alice" && password === "s3cret") return { ok: true, auth: ALICE };
  if (username === "jürgen" && password === "pässword:✓") return { ok: true, auth: JURGEN };
  // The same answer for an unknown user and a wrong password.
  return { ok: false, code: "credentials_invalid" };
}

const bearer = bearerScheme({ verify: verifyToken });
const token = bearerScheme({ scheme: "Token", verify: verifyToken });
const jwt = bearerScheme({ scheme: "JWT", verify: verifyToken });
const basic = basicScheme({ verify: verifyPassword });
// The Udacity tutorial: Basic where the username may be a token (password ignored) or a real username.
const basicTokenOrPassword = basicScheme<TestAuth>({
  async verify(username, password) {
    const byToken = await verifyToken(username);
    return byToken.ok ? byToken : verifyPassword(username, password);
  },
});
const apiToken = headerScheme({ header: "api-token", verify: verifyToken });

// the microblog tutorial: Flask-HTTPAuth's error_response(), {"error": <reason phrase>}, challenge kept.
const reasonPhraseBody = (failure: GuardFailure): FailureResponse => ({ body: { error: failure.problem.title } });
// the api-token tutorial: its own messages; a missing token answered 400 with text and a replaced challenge.
const seed004Body = (failure: GuardFailure): FailureResponse =>
  failure.code === "token_missing"
    ? { status: 400, headers: { "www-authenticate": 'ApiKey realm="custom"', "X-Auth-Error": failure.code }, body: "Authentication token not provided" }
    : { body: { error: failure.code === "token_expired" ? "token expired" : "invalid token" } };
// JSON:API style: the app names its own media type.
const jsonApiBody = (failure: GuardFailure): FailureResponse => ({
  headers: { "content-type": "application/vnd.api+json" },
  body: { errors: [{ status: String(failure.status), code: failure.code }] },
});

/** The routes every adapter mounts at `GET path`, each answering 200 `{ auth }`. */
export const ROUTES = {
  "/bearer": { schemes: [bearer] },
  "/token": { schemes: [token] },
  "/jwt": { schemes: [jwt] },
  "/basic": { schemes: [basic] },
  "/seed000": { schemes: [basicTokenOrPassword] },
  "/api-token": { schemes: [apiToken] },
  "/multi": { schemes: [token, basic] },
  "/order": { schemes: [bearer, apiToken] },
  "/posts": { schemes: [bearer], scopes: ["posts:write"] },
  "/custom-reason": { schemes: [bearer], scopes: ["posts:write"], onFailure: reasonPhraseBody },
  "/custom-seed004": { schemes: [apiToken], onFailure: seed004Body },
  "/custom-type": { schemes: [token, basic], onFailure: jsonApiBody },
} satisfies Record<string, GuardOptions<TestAuth>>;

const basicOf = (value: string): string => `Basic ${Buffer.from(value, "utf8").toString("base64")}`;

const BEARER = 'Bearer realm="tessera"';
const TOKEN = 'Token realm="tessera"';
const BASIC = 'Basic realm="tessera", charset="UTF-8"';
const API_TOKEN = 'ApiKey realm="tessera", header="api-token"';
const invalidToken = (scheme: string, description: string): string =>
  `${scheme}, error="invalid_token", error_description="${description}"`;
const invalidRequest = (scheme: string, description: string): string =>
  `${scheme}, error="invalid_request", error_description="${description}"`;
const INVALID = "The access token is invalid";

interface Row {
  name: string;
  path: keyof typeof ROUTES & string;
  headers?: Record<string, string | string[]>;
  status: number;
  /** For failures: the problem's code. */
  code?: ErrorCode;
  /** The exact WWW-Authenticate value, or null for none. */
  challenge: string | null;
  /** For successes: the auth object the handler saw. */
  auth?: TestAuth;
  /** For `onFailure` routes: the exact body (parsed JSON, or the text for a string body). */
  body?: unknown;
  /** For `onFailure` routes: the start of the Content-Type. */
  contentType?: string;
  /** Further response headers that must be present with these values. */
  responseHeaders?: Record<string, string>;
}

const JSON_TYPE = "application/json";

export const ROWS: readonly Row[] = [
  // Bearer (RFC 6750)
  { name: "no credentials", path: "/bearer", status: 401, code: "token_missing", challenge: BEARER },
  { name: "Bearer ok", path: "/bearer", headers: { Authorization: "Bearer good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "lowercase bearer scheme", path: "/bearer", headers: { Authorization: "bearer good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "uppercase BEARER scheme", path: "/bearer", headers: { Authorization: "BEARER good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "Bearer unknown token", path: "/bearer", headers: { Authorization: "Bearer nope-token" }, status: 401, code: "token_invalid", challenge: invalidToken(BEARER, INVALID) },
  { name: "Bearer expired", path: "/bearer", headers: { Authorization: "Bearer expired-token" }, status: 401, code: "token_expired", challenge: invalidToken(BEARER, "The access token expired") },
  { name: "Bearer revoked", path: "/bearer", headers: { Authorization: "Bearer revoked-token" }, status: 401, code: "token_revoked", challenge: invalidToken(BEARER, "The access token was revoked") },
  { name: "verify detail echoing the token is dropped", path: "/bearer", headers: { Authorization: "Bearer chatty-token" }, status: 401, code: "token_invalid", challenge: invalidToken(BEARER, INVALID) },
  { name: "Bearer without a token -> 401 token_malformed", path: "/bearer", headers: { Authorization: "Bearer" }, status: 401, code: "token_malformed", challenge: invalidToken(BEARER, "The Bearer credentials carry no token") },
  { name: "Bearer with two tokens -> 401 token_malformed", path: "/bearer", headers: { Authorization: "Bearer good-token writer-token" }, status: 401, code: "token_malformed", challenge: invalidToken(BEARER, "The Bearer credentials are not a single token") },
  { name: "quoted Bearer token -> 401 token_malformed", path: "/bearer", headers: { Authorization: 'Bearer "good-token"' }, status: 401, code: "token_malformed", challenge: invalidToken(BEARER, "The Bearer credentials are not a single token") },
  { name: "two Authorization fields -> 400 (credentials presented twice)", path: "/bearer", headers: { Authorization: ["Bearer good-token", "Bearer writer-token"] }, status: 400, code: "invalid_request", challenge: invalidRequest(BEARER, "Credentials were presented more than once") },
  { name: "token with characters outside token68 -> 401 token_malformed", path: "/bearer", headers: { Authorization: "Bearer good$token" }, status: 401, code: "token_malformed", challenge: invalidToken(BEARER, "The Bearer credentials are not a single token") },
  { name: "unparseable Authorization -> 401 token_missing", path: "/bearer", headers: { Authorization: "@@@ good-token" }, status: 401, code: "token_missing", challenge: BEARER },
  { name: "unaccepted scheme counts as none", path: "/bearer", headers: { Authorization: "Digest username=\"alice\"" }, status: 401, code: "token_missing", challenge: BEARER },
  { name: "Basic on a Bearer route counts as none", path: "/bearer", headers: { Authorization: basicOf("alice:s3cret") }, status: 401, code: "token_missing", challenge: BEARER },
  { name: "store outage -> 503, never 401", path: "/bearer", headers: { Authorization: "Bearer down-token" }, status: 503, code: "backend_unavailable", challenge: null },

  // Other single-token schemes (the courses and Flask-JWT tutorials)
  { name: "Token scheme ok", path: "/token", headers: { Authorization: "Token good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "lowercase token scheme", path: "/token", headers: { Authorization: "token good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "Bearer on a Token route counts as none", path: "/token", headers: { Authorization: "Bearer good-token" }, status: 401, code: "token_missing", challenge: TOKEN },
  { name: "Token scheme bad", path: "/token", headers: { Authorization: "Token nope-token" }, status: 401, code: "token_invalid", challenge: invalidToken(TOKEN, INVALID) },
  { name: "JWT scheme ok", path: "/jwt", headers: { Authorization: "JWT good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "JWT scheme expired", path: "/jwt", headers: { Authorization: "JWT expired-token" }, status: 401, code: "token_expired", challenge: invalidToken('JWT realm="tessera"', "The access token expired") },

  // Basic (RFC 7617)
  { name: "Basic user:pass ok", path: "/basic", headers: { Authorization: basicOf("alice:s3cret") }, status: 200, challenge: null, auth: ALICE },
  { name: "Basic UTF-8 user and password with a colon", path: "/basic", headers: { Authorization: basicOf("jürgen:pässword:✓") }, status: 200, challenge: null, auth: JURGEN },
  { name: "Basic wrong password", path: "/basic", headers: { Authorization: basicOf("alice:wrong-password") }, status: 401, code: "credentials_invalid", challenge: BASIC },
  { name: "Basic unknown user answers alike", path: "/basic", headers: { Authorization: basicOf("mallory:s3cret") }, status: 401, code: "credentials_invalid", challenge: BASIC },
  { name: "Basic no credentials", path: "/basic", status: 401, code: "token_missing", challenge: BASIC },
  // Malformed Basic is bad credentials (RFC 7617 has no 400): 401 with the Basic challenge.
  { name: "Basic bad base64 -> 401", path: "/basic", headers: { Authorization: "Basic ***" }, status: 401, code: "credentials_invalid", challenge: BASIC },
  { name: "Basic without a colon -> 401", path: "/basic", headers: { Authorization: basicOf("alice") }, status: 401, code: "credentials_invalid", challenge: BASIC },
  { name: "Basic with no credentials after the scheme -> 401", path: "/basic", headers: { Authorization: "Basic" }, status: 401, code: "credentials_invalid", challenge: BASIC },
  { name: "Basic token-as-username (the Udacity tutorial)", path: "/seed000", headers: { Authorization: basicOf("good-token:") }, status: 200, challenge: null, auth: GOOD },
  { name: "Basic token-as-username ignores the password", path: "/seed000", headers: { Authorization: basicOf("good-token:anything") }, status: 200, challenge: null, auth: GOOD },
  { name: "Basic the Udacity tutorial real username", path: "/seed000", headers: { Authorization: basicOf("alice:s3cret") }, status: 200, challenge: null, auth: ALICE },
  { name: "Basic the Udacity tutorial bad token", path: "/seed000", headers: { Authorization: basicOf("nope-token:") }, status: 401, code: "credentials_invalid", challenge: BASIC },

  // Custom header (the api-token tutorial)
  { name: "api-token header ok", path: "/api-token", headers: { "api-token": "good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "api-token header name is case-insensitive", path: "/api-token", headers: { "API-Token": "good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "api-token header bad -> 401, not 400", path: "/api-token", headers: { "api-token": "nope-token" }, status: 401, code: "token_invalid", challenge: invalidToken(API_TOKEN, INVALID) },
  { name: "api-token header missing", path: "/api-token", status: 401, code: "token_missing", challenge: API_TOKEN },
  { name: "api-token header with two values -> 401 token_malformed", path: "/api-token", headers: { "api-token": "good-token writer-token" }, status: 401, code: "token_malformed", challenge: invalidToken(API_TOKEN, "The token header must carry exactly one token") },
  { name: "api-token header sent twice -> 400", path: "/api-token", headers: { "api-token": ["good-token", "writer-token"] }, status: 400, code: "invalid_request", challenge: invalidRequest(API_TOKEN, "Credentials were presented more than once") },

  // MultiAuth (the courses tutorial): Token or Basic
  { name: "multi: Token ok", path: "/multi", headers: { Authorization: "Token good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "multi: Basic ok", path: "/multi", headers: { Authorization: basicOf("alice:s3cret") }, status: 200, challenge: null, auth: ALICE },
  { name: "multi: none lists every challenge", path: "/multi", status: 401, code: "token_missing", challenge: `${TOKEN}, ${BASIC}` },
  { name: "multi: unaccepted scheme lists every challenge", path: "/multi", headers: { Authorization: "Bearer good-token" }, status: 401, code: "token_missing", challenge: `${TOKEN}, ${BASIC}` },
  { name: "multi: Token bad answers with the Token challenge", path: "/multi", headers: { Authorization: "Token nope-token" }, status: 401, code: "token_invalid", challenge: invalidToken(TOKEN, INVALID) },
  { name: "multi: Basic bad answers with the Basic challenge", path: "/multi", headers: { Authorization: basicOf("alice:wrong-password") }, status: 401, code: "credentials_invalid", challenge: BASIC },
  { name: "order: the first scheme with credentials decides", path: "/order", headers: { Authorization: "Bearer nope-token", "api-token": "good-token" }, status: 401, code: "token_invalid", challenge: invalidToken(BEARER, INVALID) },
  { name: "order: first scheme passes, later bad one is not consulted", path: "/order", headers: { Authorization: "Bearer writer-token", "api-token": "nope-token" }, status: 200, challenge: null, auth: WRITER },
  { name: "order: a later scheme is used when the first finds nothing", path: "/order", headers: { "api-token": "good-token" }, status: 200, challenge: null, auth: GOOD },

  // Scopes
  { name: "insufficient scope -> 403", path: "/posts", headers: { Authorization: "Bearer good-token" }, status: 403, code: "insufficient_scope", challenge: 'Bearer realm="tessera", error="insufficient_scope", scope="posts:write"' },
  { name: "sufficient scope", path: "/posts", headers: { Authorization: "Bearer writer-token" }, status: 200, challenge: null, auth: WRITER },
  { name: "scoped route without credentials -> 401", path: "/posts", status: 401, code: "token_missing", challenge: BEARER },
  { name: "scoped route with an expired token -> 401", path: "/posts", headers: { Authorization: "Bearer expired-token" }, status: 401, code: "token_expired", challenge: invalidToken(BEARER, "The access token expired") },

  // onFailure: the app shapes the body; statuses and challenges stay the library's unless overridden
  { name: "onFailure: no credentials keeps 401 and the challenge", path: "/custom-reason", status: 401, challenge: BEARER, contentType: JSON_TYPE, body: { error: "Unauthorized" } },
  { name: "onFailure: expired keeps the invalid_token challenge", path: "/custom-reason", headers: { Authorization: "Bearer expired-token" }, status: 401, challenge: invalidToken(BEARER, "The access token expired"), contentType: JSON_TYPE, body: { error: "Unauthorized" } },
  { name: "onFailure: malformed credentials stay 401", path: "/custom-reason", headers: { Authorization: "Bearer" }, status: 401, challenge: invalidToken(BEARER, "The Bearer credentials carry no token"), contentType: JSON_TYPE, body: { error: "Unauthorized" } },
  { name: "onFailure: credentials sent twice stay 400", path: "/custom-reason", headers: { Authorization: ["Bearer good-token", "Bearer writer-token"] }, status: 400, challenge: invalidRequest(BEARER, "Credentials were presented more than once"), contentType: JSON_TYPE, body: { error: "Bad Request" } },
  { name: "onFailure: missing scope stays 403", path: "/custom-reason", headers: { Authorization: "Bearer good-token" }, status: 403, challenge: 'Bearer realm="tessera", error="insufficient_scope", scope="posts:write"', contentType: JSON_TYPE, body: { error: "Forbidden" } },
  { name: "onFailure: a store outage stays 503", path: "/custom-reason", headers: { Authorization: "Bearer down-token" }, status: 503, challenge: null, contentType: JSON_TYPE, body: { error: "Service Unavailable" } },
  { name: "onFailure: success is untouched", path: "/custom-reason", headers: { Authorization: "Bearer writer-token" }, status: 200, challenge: null, auth: WRITER },
  { name: "onFailure: status, challenge and a header overridden, text body", path: "/custom-seed004", status: 400, challenge: 'ApiKey realm="custom"', contentType: "text/plain", body: "Authentication token not provided", responseHeaders: { "x-auth-error": "token_missing" } },
  { name: "onFailure: a bad token with the app's message", path: "/custom-seed004", headers: { "api-token": "nope-token" }, status: 401, challenge: invalidToken(API_TOKEN, INVALID), contentType: JSON_TYPE, body: { error: "invalid token" } },
  { name: "onFailure: an expired token with the app's message", path: "/custom-seed004", headers: { "api-token": "expired-token" }, status: 401, challenge: invalidToken(API_TOKEN, "The access token expired"), contentType: JSON_TYPE, body: { error: "token expired" } },
  { name: "onFailure: success through a header scheme", path: "/custom-seed004", headers: { "api-token": "good-token" }, status: 200, challenge: null, auth: GOOD },
  { name: "onFailure: the app's Content-Type wins; MultiAuth challenges kept", path: "/custom-type", status: 401, challenge: `${TOKEN}, ${BASIC}`, contentType: "application/vnd.api+json", body: { errors: [{ status: "401", code: "token_missing" }] } },
  { name: "onFailure: a failed Basic login keeps the Basic challenge", path: "/custom-type", headers: { Authorization: basicOf("alice:wrong-password") }, status: 401, challenge: BASIC, contentType: "application/vnd.api+json", body: { errors: [{ status: "401", code: "credentials_invalid" }] } },
];

/** Secrets sent by the rows; none may appear in any response. */
const SECRETS = ["good-token", "writer-token", "expired-token", "revoked-token", "chatty-token", "nope-token", "s3cret", "wrong-password", "pässword"];

interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(baseUrl: string, path: string, headers: Record<string, string | string[]>): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    // node:http rather than fetch: an array sends repeated header fields on the wire.
    const req = httpRequest(new URL(path, baseUrl), { method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A started server under test. */
export interface RunningServer {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Runs every row against one adapter. `start` must mount each of {@link ROUTES} at
 * `GET path` behind the adapter's guard, answering 200 `{ "auth": <auth> }`.
 */
export function runBehaviourTable(adapter: string, start: () => Promise<RunningServer>): void {
  void describe(`${adapter}: behaviour table over real HTTP`, () => {
    let server: RunningServer;
    before(async () => {
      server = await start();
    });
    after(async () => {
      await server.close();
    });

    for (const row of ROWS) {
      void it(row.name, async () => {
        const response = await send(server.baseUrl, row.path, row.headers ?? {});
        assert.equal(response.status, row.status, response.body);
        assert.equal(response.headers["www-authenticate"] ?? null, row.challenge);
        for (const secret of SECRETS) {
          assert.ok(!response.body.includes(secret), `body leaks ${secret}`);
          assert.ok(!(row.challenge ?? "").includes(secret), `challenge leaks ${secret}`);
        }

        for (const [name, value] of Object.entries(row.responseHeaders ?? {})) {
          assert.equal(response.headers[name], value, name);
        }
        if (row.body !== undefined) {
          assert.ok(String(response.headers["content-type"]).startsWith(row.contentType ?? JSON_TYPE), String(response.headers["content-type"]));
          assert.deepEqual(typeof row.body === "string" ? response.body : JSON.parse(response.body), row.body);
          return;
        }
        const body: unknown = JSON.parse(response.body);
        if (row.status === 200) {
          assert.deepEqual(body, { auth: row.auth });
          return;
        }
        assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
        const code = row.code ?? "internal_error";
        assert.ok(typeof body === "object" && body !== null && "detail" in body && typeof body.detail === "string");
        assert.deepEqual(body, {
          type: "about:blank",
          title: PROBLEMS[code].title,
          status: row.status,
          code,
          detail: body.detail,
        });
        // The description in the header and the problem detail say the same thing.
        const description = /error_description="([^"]*)"/.exec(row.challenge ?? "")?.[1];
        if (description !== undefined) assert.equal(body.detail, description);
      });
    }
  });
}

import { TesseraError, type ErrorCode } from "../core/errors.js";
import { isScopeToken, missingScopes, normalizeScopes, type ScopeInput } from "../core/scopes.js";
import { assertRealm, joinChallenges } from "./challenge.js";
import { PROBLEM_CONTENT_TYPE, problemFor, type ProblemBody } from "./problem.js";
import type { RequestView } from "./request-view.js";
import { assertFunction, type AuthScheme, type SchemeOutcome } from "./scheme.js";

/** The realm used when neither the guard nor a scheme names one. */
export const DEFAULT_REALM = "tessera";

/** Options of {@link createGuard}. */
export interface GuardOptions<A> {
  /** Tried in order; the first whose credentials are present decides (MultiAuth). */
  schemes: readonly AuthScheme<A>[];
  /** Scopes the route requires; a success without them becomes 403 `insufficient_scope`. */
  scopes?: ScopeInput;
  /** Realm of every challenge unless a scheme names its own. Default `tessera`. */
  realm?: string;
  /**
   * Reads the granted scopes from `auth`. Default: `auth.scope` (space-delimited string) or
   * `auth.scopes` (array); an `auth` with neither has no scopes, so scope checks fail closed.
   */
  scopesOf?(auth: A): ScopeInput | undefined;
  /**
   * Shapes the answer to a refused request (status, headers, body) for apps whose clients
   * expect their own error bodies. Default: the problem+json body. See {@link FailureResponse}.
   */
  onFailure?(failure: GuardFailure): FailureResponse;
  /** Observes every decision (metrics, audit); it cannot change the answer. */
  onResult?(result: GuardResult<A>): void;
}

/**
 * What an `onFailure` hook answers. `status` defaults to the failure's; `headers` are merged
 * over the failure's (case-insensitively, so `WWW-Authenticate` stays unless you set it);
 * a string `body` is sent as is (`text/plain` unless `headers` name a `Content-Type`), any
 * other value as JSON (`application/json`).
 *
 * @example
 * const onFailure = (failure: GuardFailure): FailureResponse =>
 *   ({ body: { error: failure.status === 401 ? "Unauthorized" : failure.problem.title } });
 */
export interface FailureResponse {
  /** 400 to 599; default the failure's status. */
  status?: number;
  headers?: Readonly<Record<string, string>>;
  body: unknown;
}

/** A refused request's answer, ready to send: every header (`Content-Type` included) and the body text. */
export interface RenderedFailure {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request the guard let through, with the app's `auth` object and the scheme that matched. */
export interface GuardSuccess<A> {
  ok: true;
  auth: A;
  scheme: string;
}

/** A request the guard refused, with everything an adapter needs to answer it. */
export interface GuardFailure {
  ok: false;
  status: number;
  code: ErrorCode;
  /** `WWW-Authenticate` when the answer needs one (always for 401). */
  headers: Readonly<Record<string, string>>;
  problem: ProblemBody;
}

/** The result of {@link Guard.authenticate}. */
export type GuardResult<A> = GuardSuccess<A> | GuardFailure;

/** Framework-free authentication for one route (or a group of routes sharing options). */
export interface Guard<A> {
  /** The options the guard was built from, for adapters deriving per-route guards. */
  readonly options: Readonly<GuardOptions<A>>;
  authenticate(request: RequestView): Promise<GuardResult<A>>;
  /**
   * The response to send for a failure: the guard's `onFailure` applied, or problem+json.
   * Every adapter sends exactly this, so a custom body behaves the same in all of them.
   */
  renderFailure(failure: GuardFailure): RenderedFailure;
}

/**
 * Builds a guard over one or more schemes. Options are checked here, once: an empty scheme
 * list, two schemes reading the same credentials, a bad realm or scope throws `TypeError`.
 * Status rules (the 401 rule of docs/http-api.md): every credential that cannot be used is 401
 * with `WWW-Authenticate`: `token_malformed` for an unusable token of a supported scheme,
 * `credentials_invalid` for bad Basic credentials, `token_missing` when no supported scheme is
 * present; 400 `invalid_request` only for credentials presented twice (RFC 6750 section 2);
 * missing scope 403 `insufficient_scope`; a store outage thrown by verify as
 * `BackendUnavailableError` 503.
 *
 * @example
 * const guard = createGuard({ schemes: [bearerScheme({ verify })], scopes: ["posts:write"] });
 * const result = await guard.authenticate(view);
 * if (!result.ok) {
 *   const { status, headers, body } = guard.renderFailure(result);
 *   send(status, headers, body);
 * }
 */
export function createGuard<A>(options: GuardOptions<A>): Guard<A> {
  const { schemes, realm = DEFAULT_REALM } = options;
  if (!Array.isArray(schemes) || schemes.length === 0) {
    throw new TypeError("createGuard needs at least one scheme");
  }
  const keys = new Set<string>();
  for (const scheme of schemes) {
    if (typeof scheme !== "object" || scheme === null || typeof scheme.authenticate !== "function") {
      throw new TypeError("createGuard schemes must be made by bearerScheme, basicScheme, headerScheme or alike");
    }
    if (keys.has(scheme.key)) throw new TypeError(`two schemes read the same credentials (${scheme.key})`);
    keys.add(scheme.key);
  }
  assertRealm(realm);
  const required = normalizeScopes(readRequiredScopes(options.scopes));
  if (options.scopesOf !== undefined) assertFunction(options.scopesOf, "createGuard scopesOf");
  const scopesOf = options.scopesOf ?? defaultScopesOf;
  const { onFailure, onResult } = options;
  if (onFailure !== undefined) assertFunction(onFailure, "createGuard onFailure");
  if (onResult !== undefined) assertFunction(onResult, "createGuard onResult");

  function fail(scheme: AuthScheme<A> | undefined, code: ErrorCode, detail?: string): GuardFailure {
    const problem = problemFor(code, detail === undefined ? {} : { detail });
    const headers: Record<string, string> = {};
    if (scheme === undefined) {
      if (code === "token_missing") {
        headers["WWW-Authenticate"] = joinChallenges(
          schemes.map((s) => s.challenge({ realm: s.realm ?? realm })).filter((c) => c !== undefined),
        );
      }
    } else {
      const challengeRealm = scheme.realm ?? realm;
      const challenge =
        scheme.challenge({ realm: challengeRealm, code, detail: problem.body.detail, scope: required }) ??
        // A 401 must carry a challenge (RFC 9110 15.5.2) even if a hand-made scheme forgot one.
        (problem.status === 401 ? scheme.challenge({ realm: challengeRealm }) : undefined);
      if (challenge !== undefined) headers["WWW-Authenticate"] = challenge;
    }
    return { ok: false, status: problem.status, code, headers, problem: problem.body };
  }

  async function authenticate(request: RequestView): Promise<GuardResult<A>> {
    const result = await decide(request);
    onResult?.(result);
    return result;
  }

  async function decide(request: RequestView): Promise<GuardResult<A>> {
    for (const scheme of schemes) {
      let outcome: SchemeOutcome<A>;
      try {
        outcome = await scheme.authenticate(request);
      } catch (error) {
        // A store outage is 503, never 401: the credentials may well be good.
        if (error instanceof TesseraError && error.code === "backend_unavailable") {
          return fail(scheme, "backend_unavailable");
        }
        throw error;
      }
      if (outcome === null) continue;
      if (!outcome.ok) return fail(scheme, outcome.code, outcome.detail);

      if (required.length > 0) {
        const missing = missingScopes(outcome.scopes ?? scopesOf(outcome.auth) ?? [], required);
        if (missing.length > 0) {
          return fail(scheme, "insufficient_scope", `The credentials lack the required scope: ${missing.join(" ")}`);
        }
      }
      return { ok: true, auth: outcome.auth, scheme: scheme.name };
    }
    return fail(undefined, "token_missing");
  }

  function renderFailure(failure: GuardFailure): RenderedFailure {
    if (onFailure === undefined) {
      return {
        status: failure.status,
        headers: { ...failure.headers, "Content-Type": PROBLEM_CONTENT_TYPE },
        body: JSON.stringify(failure.problem),
      };
    }
    return renderCustomFailure(failure, onFailure(failure));
  }

  return { options, authenticate, renderFailure };
}

// Misuse here surfaces per request, so it throws TypeError into the framework's error handler.
function renderCustomFailure(failure: GuardFailure, response: FailureResponse): RenderedFailure {
  if (typeof response !== "object" || response === null || !("body" in response) || response.body === undefined) {
    throw new TypeError("onFailure must return { status?, headers?, body }");
  }
  const status = response.status ?? failure.status;
  // A refusal must stay a refusal: a 2xx/3xx would tell clients and caches the request worked.
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new TypeError("onFailure status must be an integer from 400 to 599");
  }
  const { body } = response;
  const text: unknown = typeof body === "string" ? body : JSON.stringify(body);
  if (typeof text !== "string") throw new TypeError("onFailure body must be a string or a JSON value");
  const headers: Record<string, string> = {
    ...failure.headers,
    "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
  };
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (typeof value !== "string") throw new TypeError(`onFailure header ${JSON.stringify(name)} must be a string`);
    // Header names are case-insensitive: the app's spelling replaces ours rather than doubling it.
    const lower = name.toLowerCase();
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === lower) delete headers[existing];
    }
    headers[name] = value;
  }
  return { status, headers, body: text };
}

function readRequiredScopes(scopes: ScopeInput | undefined): string[] {
  if (scopes === undefined) return [];
  const list = typeof scopes === "string" ? scopes.split(" ").filter((s) => s !== "") : [...scopes];
  for (const scope of list) {
    if (typeof scope !== "string" || !isScopeToken(scope)) {
      throw new TypeError(`createGuard scopes: ${JSON.stringify(scope)} is not an RFC 6749 scope token`);
    }
  }
  return list;
}

function defaultScopesOf(auth: unknown): ScopeInput | undefined {
  if (typeof auth !== "object" || auth === null) return undefined;
  if ("scope" in auth && typeof auth.scope === "string") return auth.scope;
  if ("scopes" in auth && Array.isArray(auth.scopes)) {
    return auth.scopes.filter((scope): scope is string => typeof scope === "string");
  }
  return undefined;
}

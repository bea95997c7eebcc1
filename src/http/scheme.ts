import { ERROR_CODES, type ErrorCode, type Failure } from "../core/errors.js";
import { formatScope, type ScopeInput } from "../core/scopes.js";
import { formatChallenge, type BearerError } from "./challenge.js";
import { statusForCode } from "./problem.js";
import type { RequestView } from "./request-view.js";

/**
 * What an app's verify function answers: the `auth` object of its choosing, or a failure
 * code (`token_expired`, `token_revoked`, `token_invalid`, `credentials_invalid`, ...).
 * Throw `BackendUnavailableError` when a store is down: the guard answers 503, never 401.
 *
 * @example
 * const verify = async (token: string): Promise<VerifyResult<User>> =>
 *   tokens.has(token) ? { ok: true, auth: tokens.get(token)! } : { ok: false, code: "token_invalid" };
 */
export type VerifyResult<A> = VerifiedCredentials<A> | Failure;

/**
 * A verified credential. `scopes`, when given, are what the credential grants: the guard checks
 * a route's scopes against them rather than against `auth`, so `auth` can be the app's own user
 * object (which carries no scopes) while the token's scopes still decide.
 */
export interface VerifiedCredentials<A> {
  ok: true;
  auth: A;
  scopes?: readonly string[];
}

/** Passed to every verify function, for decisions that depend on the request. */
export interface VerifyContext {
  request: RequestView;
}

/** `null`: no credentials of this scheme's kind; otherwise the verdict on the ones found. */
export type SchemeOutcome<A> = VerifiedCredentials<A> | Failure | null;

/** What a scheme is asked to put in `WWW-Authenticate`. */
export interface ChallengeRequest {
  realm: string;
  /** Absent or `token_missing`: the plain challenge. */
  code?: ErrorCode;
  detail?: string;
  /** For `insufficient_scope`: the scopes the route requires. */
  scope?: ScopeInput;
}

/**
 * One way to present credentials (Bearer, Basic, a custom header). Built by
 * `bearerScheme`, `basicScheme`, `headerScheme`, or by hand for anything else.
 *
 * @example
 * const guard = createGuard({ schemes: [bearerScheme({ verify })] });
 */
export interface AuthScheme<A> {
  /** Where the scheme looks, e.g. `authorization:bearer`; two schemes may not share it. */
  readonly key: string;
  /** The name reported on success (`Bearer`, `Basic`, `api-token`). */
  readonly name: string;
  /** Overrides the guard's realm in this scheme's challenges. */
  readonly realm: string | undefined;
  authenticate(request: RequestView): Promise<SchemeOutcome<A>>;
  /** The challenge for a result; must return one for `token_missing` and every 401 code. */
  challenge(request: ChallengeRequest): string | undefined;
}

/**
 * Maps a failure code to the RFC 6750 3.1 error and formats a challenge in the Bearer style,
 * for schemes that carry a single token (`Bearer`, `Token`, `JWT`, `ApiKey`).
 * @internal
 */
export function formatTokenChallenge(
  scheme: string,
  request: ChallengeRequest,
  extraParams: Readonly<Record<string, string>> = {},
): string | undefined {
  const code = request.code ?? "token_missing";
  let error: BearerError | undefined;
  // RFC 6750 3.1: no error code at all when the request carried no authentication.
  if (code === "token_missing") error = undefined;
  else if (code === "invalid_request") error = "invalid_request";
  else if (code === "insufficient_scope") error = "insufficient_scope";
  else if (statusForCode(code) === 401) error = "invalid_token";
  else return undefined;

  const scope = error === "insufficient_scope" && request.scope !== undefined ? formatScope(request.scope) : "";
  return formatChallenge({
    scheme,
    params: {
      realm: request.realm,
      ...extraParams,
      error,
      error_description: error === undefined || error === "insufficient_scope" ? undefined : request.detail,
      scope: scope === "" ? undefined : scope,
    },
  });
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * Runs an app's verify function and checks its answer. A detail that contains any of the
 * presented secrets is dropped (the default detail is used), so a careless verify function
 * cannot echo a token or password into a response.
 * @internal
 */
export async function runVerify<A>(
  verify: () => Promise<VerifyResult<A>> | VerifyResult<A>,
  secrets: readonly string[],
): Promise<VerifiedCredentials<A> | Failure> {
  const result: unknown = await verify();
  if (typeof result !== "object" || result === null || !("ok" in result)) {
    throw new TypeError("verify must return { ok: true, auth } or { ok: false, code }");
  }
  const answer = result as VerifyResult<A>;
  if (answer.ok) return answer.scopes === undefined ? { ok: true, auth: answer.auth } : { ok: true, auth: answer.auth, scopes: answer.scopes };
  if (!KNOWN_CODES.has(answer.code)) {
    throw new TypeError(`verify returned an unknown error code ${JSON.stringify(answer.code)}`);
  }
  const detail = answer.detail;
  if (typeof detail === "string" && !secrets.some((secret) => secret !== "" && detail.includes(secret))) {
    return { ok: false, code: answer.code, detail };
  }
  return { ok: false, code: answer.code };
}

/**
 * 400 `invalid_request` when the request carried the credential field more than once
 * (RFC 6750 section 2: credentials presented in more than one way), where the adapter can tell.
 * @internal
 */
export function presentedTwice(request: RequestView, lowerName: string): Failure<"invalid_request"> | null {
  const count = request.fieldCount?.(lowerName) ?? 1;
  return count > 1 ? { ok: false, code: "invalid_request", detail: "Credentials were presented more than once" } : null;
}

/** @internal */
export function assertFunction(value: unknown, name: string): void {
  if (typeof value !== "function") throw new TypeError(`${name} must be a function`);
}

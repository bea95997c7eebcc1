import { isUtf8 } from "node:buffer";
import { ConfigError, type Failure } from "../errors.js";
import { decodeCanonicalBase64url, isCanonicalBase64url } from "./base64url.js";
import { verifyJwsSignature } from "./jws-signature.js";
import type { KeyRing, RingKey } from "./key-ring.js";

// A fast, strict verifier for the tokens issueAccessToken makes, on node:crypto instead of
// jose (which verifies 10-20x slower here). It accepts a subset of what jose's jwtVerify
// accepts with the same options; test/core/jwt/differential.test.ts holds it to that and
// lists the cases where it is deliberately stricter.

/** Contract section 2: longer tokens are refused before any parsing. */
export const MAX_ACCESS_TOKEN_LENGTH = 8192;
/** Default clock leeway for `nbf`, in seconds. `exp` gets none: an expired token is refused at once (docs/http-api.md, Tokens). */
export const DEFAULT_LEEWAY_SECONDS = 5;
/** Contract section 2: at most 60 s of leeway. */
export const MAX_LEEWAY_SECONDS = 60;

export type AccessTokenFailureCode = "token_malformed" | "token_invalid" | "token_expired";

/**
 * The verified claims of an access token (frozen, shallowly). Extra claims set at issue
 * time are present too, typed `unknown`. `sid` is absent from tokens issued without a
 * session (the reference server always sets it).
 *
 * @example
 * const scopes = claims.scope === "" ? [] : claims.scope.split(" ");
 */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
  readonly scope: string;
  readonly sid?: string;
  readonly [claim: string]: unknown;
}

/**
 * `token_malformed`: not a compact JWS, bad base64url/UTF-8/JSON, over 8 KiB.
 * `token_invalid`: anything else wrong, including `nbf` in the future beyond the leeway.
 * `token_expired`: `exp` passed (only reported when everything else is right, so a
 * client is told to refresh only a token that was genuine). Failures also carry a
 * finer `reason` and a fixed `detail` that never echoes the token.
 *
 * @example
 * if (!result.ok && result.reason === "unknown_kid") scheduleKeyRingReload();
 */
export type VerifyAccessTokenResult =
  | { readonly ok: true; readonly claims: AccessTokenClaims }
  | AccessTokenFailure;

export interface VerifyAccessTokenOptions {
  keyRing: KeyRing;
  issuer: string;
  audience: string;
  /** Epoch milliseconds. */
  now: number;
  /** Clock leeway for `nbf`, 0 to 60 s (`exp` gets none). Default {@link DEFAULT_LEEWAY_SECONDS}. */
  leewaySeconds?: number;
}

/** @internal What the verifier needs besides the token, validated once. */
export interface VerificationChecks {
  readonly issuer: string;
  readonly audience: string;
  readonly leewaySeconds: number;
}

/** @internal A success that also names the key, so a cache can bound its lifetime. */
export interface VerifiedAccessToken {
  readonly ok: true;
  readonly claims: AccessTokenClaims;
  readonly key: RingKey;
}

/** Why a token was refused, finer than the code: for metrics, logs, and reloading the ring on `unknown_kid`. */
export type AccessTokenFailureReason =
  | "too_large"
  | "not_compact"
  | "bad_header"
  | "bad_payload"
  | "crit"
  | "no_kid"
  | "unknown_kid"
  | "wrong_alg"
  | "wrong_typ"
  | "bad_signature"
  | "wrong_issuer"
  | "wrong_audience"
  | "bad_claims"
  | "not_yet_valid"
  | "expired";

/** A refused token: the stable `code` plus the `reason`. Never echoes the token. */
export interface AccessTokenFailure extends Failure<AccessTokenFailureCode> {
  readonly reason: AccessTokenFailureReason;
}

function failure(code: AccessTokenFailureCode, reason: AccessTokenFailureReason, detail: string): AccessTokenFailure {
  return Object.freeze({ ok: false as const, code, reason, detail });
}

// Shared frozen results: a rejection allocates nothing.
const TOO_LARGE = failure("token_malformed", "too_large", "token exceeds 8 KiB");
const NOT_COMPACT = failure("token_malformed", "not_compact", "token is not three base64url segments");
const BAD_HEADER = failure("token_malformed", "bad_header", "token header is not a JSON object");
const BAD_PAYLOAD = failure("token_malformed", "bad_payload", "token payload is not a JSON object");
const CRIT = failure("token_invalid", "crit", "critical header extensions are not supported");
const NO_KID = failure("token_invalid", "no_kid", "token header has no kid or alg");
const UNKNOWN_KEY = failure("token_invalid", "unknown_kid", "unknown or expired signing key");
const WRONG_ALG = failure("token_invalid", "wrong_alg", "token alg does not match its key");
const WRONG_TYP = failure("token_invalid", "wrong_typ", "token typ is not at+jwt");
const BAD_SIGNATURE = failure("token_invalid", "bad_signature", "token signature is invalid");
const WRONG_ISSUER = failure("token_invalid", "wrong_issuer", "token issuer is not accepted");
const WRONG_AUDIENCE = failure("token_invalid", "wrong_audience", "token audience is not accepted");
const BAD_CLAIMS = failure("token_invalid", "bad_claims", "token lacks a required claim or has one of the wrong type");
const NOT_YET_VALID = failure("token_invalid", "not_yet_valid", "token is not valid yet (nbf)");
const EXPIRED = failure("token_expired", "expired", "token expired");

/**
 * Verifies an access token made by `issueAccessToken`: size, compact form, header
 * (`kid` known and live, `alg` exactly the key's, `typ` at+jwt, no `crit`), signature,
 * then `iss`, `aud`, required claims and their types (`sid` may be absent, but is a string
 * when present), `nbf`, `exp`. Revocation (`jti`, `sid`) is the caller's job. For many
 * tokens prefer `createAccessTokenVerifier`, which caches results.
 *
 * @example
 * const result = verifyAccessToken(token, { keyRing, issuer, audience: "tessera", now: Date.now() });
 * if (!result.ok) return reply401(result.code);
 * const { sub, sid, jti, scope } = result.claims;
 */
export function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): VerifyAccessTokenResult {
  const checks = resolveVerificationChecks(options);
  const result = verifyWithKeyRing(token, options.keyRing, checks, options.now, null);
  return result.ok ? { ok: true, claims: result.claims } : result;
}

/** @internal Validates verification options; throws ConfigError on misuse. */
export function resolveVerificationChecks(options: {
  issuer: string;
  audience: string;
  leewaySeconds?: number;
}): VerificationChecks {
  const { issuer, audience, leewaySeconds = DEFAULT_LEEWAY_SECONDS } = options;
  if (typeof issuer !== "string" || issuer.length === 0) throw new ConfigError("issuer", "expected a non-empty string");
  if (typeof audience !== "string" || audience.length === 0) throw new ConfigError("audience", "expected a non-empty string");
  if (!Number.isFinite(leewaySeconds) || leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
    throw new ConfigError("leewaySeconds", `expected 0 to ${MAX_LEEWAY_SECONDS} seconds`);
  }
  return Object.freeze({ issuer, audience, leewaySeconds });
}

/**
 * @internal The verification itself. `headerMemo` maps an exact header segment to the
 * key it was validated against, so repeated headers skip base64 and JSON work; pass null
 * to disable it. Keys are still checked for expiry on every call.
 */
export function verifyWithKeyRing(
  token: string,
  keyRing: KeyRing,
  checks: VerificationChecks,
  nowMs: number,
  headerMemo: Map<string, RingKey> | null,
): VerifiedAccessToken | AccessTokenFailure {
  // NaN would make every time comparison false, i.e. accept expired tokens.
  if (!Number.isFinite(nowMs)) throw new RangeError("now must be epoch milliseconds");
  if (typeof token !== "string") return NOT_COMPACT;
  if (token.length > MAX_ACCESS_TOKEN_LENGTH) return TOO_LARGE;
  const firstDot = token.indexOf(".");
  const secondDot = firstDot === -1 ? -1 : token.indexOf(".", firstDot + 1);
  if (secondDot === -1 || token.indexOf(".", secondDot + 1) !== -1) return NOT_COMPACT;
  const encodedHeader = token.slice(0, firstDot);
  const encodedPayload = token.slice(firstDot + 1, secondDot);
  const encodedSignature = token.slice(secondDot + 1);
  if (!isCanonicalBase64url(encodedPayload) || !isCanonicalBase64url(encodedSignature)) return NOT_COMPACT;

  let key = headerMemo?.get(encodedHeader);
  if (key === undefined) {
    const header = parseJsonObject(encodedHeader);
    if (header === null) return BAD_HEADER;
    const checked = checkHeader(header, keyRing, nowMs);
    if (!("verificationKey" in checked)) return checked;
    key = checked;
    if (headerMemo !== null) {
      // Headers vary only per key, so a handful of entries suffice; a flood of odd but
      // valid headers just resets the memo instead of growing it.
      if (headerMemo.size >= HEADER_MEMO_SIZE) headerMemo.clear();
      headerMemo.set(encodedHeader, key);
    }
  } else if (key.expiresAt !== null && nowMs >= key.expiresAt) {
    return UNKNOWN_KEY;
  }

  const signingInput = token.slice(0, secondDot);
  const signature = Buffer.from(encodedSignature, "base64url");
  if (!verifyJwsSignature(key.alg, key.verificationKey, signingInput, signature)) return BAD_SIGNATURE;

  // Parsed only after the signature holds: unauthenticated JSON is never interpreted.
  const claims = parseJsonObject(encodedPayload);
  if (claims === null) return BAD_PAYLOAD;
  if (claims.iss !== checks.issuer) return WRONG_ISSUER;
  const aud = claims.aud;
  if (aud !== checks.audience && !(Array.isArray(aud) && aud.includes(checks.audience))) return WRONG_AUDIENCE;
  const { iat, nbf, exp } = claims;
  if (
    !Number.isFinite(iat) ||
    !Number.isFinite(nbf) ||
    !Number.isFinite(exp) ||
    typeof claims.sub !== "string" ||
    typeof claims.jti !== "string" ||
    typeof claims.scope !== "string" ||
    // Optional (sessionless apps), but never of another type.
    (claims.sid !== undefined && typeof claims.sid !== "string")
  ) {
    return BAD_CLAIMS;
  }
  // Same comparisons as jose (RFC 7519 sections 4.1.4-4.1.5) on whole seconds.
  const nowSeconds = Math.floor(nowMs / 1000);
  if ((nbf as number) > nowSeconds + checks.leewaySeconds) return NOT_YET_VALID;
  // No leeway on exp: the contract rejects a token once `exp` has passed; only `nbf` gets some.
  if ((exp as number) <= nowSeconds) return EXPIRED;

  if (Array.isArray(aud)) Object.freeze(aud);
  return { ok: true, claims: Object.freeze(claims) as AccessTokenClaims, key };
}

const HEADER_MEMO_SIZE = 32;

function checkHeader(header: Record<string, unknown>, keyRing: KeyRing, nowMs: number): RingKey | AccessTokenFailure {
  // RFC 7515 section 4.1.11: we understand no extension, so any crit must be refused.
  if (header.crit !== undefined) return CRIT;
  const { alg, kid } = header;
  if (typeof kid !== "string" || typeof alg !== "string") return NO_KID;
  const key = keyRing.getVerificationKey(kid, nowMs);
  if (key === undefined) return UNKNOWN_KEY;
  // RFC 8725 section 3.1: the key decides the algorithm; "none" or HS256-with-a-public-key never match.
  if (alg !== key.alg) return WRONG_ALG;
  if (!isAccessTokenTyp(header.typ)) return WRONG_TYP;
  return key;
}

// RFC 9068 section 4: "at+jwt" or "application/at+jwt"; media types compare
// case-insensitively (RFC 7515 section 4.1.9), as jose's typ option does.
function isAccessTokenTyp(typ: unknown): boolean {
  if (typ === "at+jwt") return true;
  if (typeof typ !== "string") return false;
  const lower = typ.toLowerCase();
  return (lower.includes("/") ? lower : `application/${lower}`) === "application/at+jwt";
}

function parseJsonObject(segment: string): Record<string, unknown> | null {
  const bytes = decodeCanonicalBase64url(segment);
  // Strict UTF-8 like jose's fatal TextDecoder; Buffer#toString would substitute U+FFFD.
  if (bytes === null || !isUtf8(bytes)) return null;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return null;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

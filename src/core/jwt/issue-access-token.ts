import { TesseraError } from "../errors.js";
import { encodeBase64url } from "./base64url.js";
import { createJwsSignature } from "./jws-signature.js";
import { createJti } from "./jti.js";
import type { KeyRing } from "./key-ring.js";
import { MAX_ACCESS_TOKEN_LENGTH } from "./verify-access-token.js";

/** Claims Tessera sets itself; `extraClaims` may not override them. */
export const REGISTERED_ACCESS_TOKEN_CLAIMS = ["iss", "sub", "aud", "iat", "nbf", "exp", "jti", "scope", "sid"] as const;

export interface IssueAccessTokenOptions {
  /** The user id; stored as a string (docs/http-api.md, Tokens). */
  sub: string | number;
  /** Space-separated scopes, or a list joined with spaces. */
  scope: string | readonly string[];
  /**
   * The session id; stored as a string. Leave it out for tokens not tied to a session
   * (the claim is then absent, and revocation works by `jti` and user only).
   */
  sid?: string | number | undefined;
  /** Defaults to {@link createJti}: the minting millisecond and 96 random bits, base64url. */
  jti?: string;
  ttlSeconds: number;
  issuer: string;
  audience: string;
  /** Epoch milliseconds. */
  now: number;
  extraClaims?: Readonly<Record<string, unknown>>;
}

export interface IssueAccessTokenResult {
  token: string;
  jti: string;
  /** Epoch milliseconds (`exp * 1000`). */
  expiresAt: number;
}

const RESERVED = new Set<string>(REGISTERED_ACCESS_TOKEN_CLAIMS);

/**
 * Signs an RFC 9068 access token (`typ: "at+jwt"`) with the ring's current key.
 * Throws `TesseraError("internal_error")` when the ring has no signing key and
 * `TypeError`/`RangeError` for misuse (empty ids, a non-positive TTL, a reserved extra claim).
 * `sid` is optional: an app without sessions leaves it out.
 *
 * @example
 * const { token, jti, expiresAt } = issueAccessToken(ring, {
 *   sub: user.id, sid: session.id, scope: "posts:read posts:write",
 *   ttlSeconds: 900, issuer: "https://auth.example", audience: "tessera", now: Date.now(),
 * });
 */
export function issueAccessToken(keyRing: KeyRing, options: IssueAccessTokenOptions): IssueAccessTokenResult {
  const key = keyRing.signingKey;
  if (key === null) throw new TesseraError("internal_error", "the key ring has no signing key");
  const { ttlSeconds, issuer, audience, now, extraClaims } = options;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError("ttlSeconds must be a positive integer");
  if (!Number.isFinite(now)) throw new RangeError("now must be epoch milliseconds");
  const sub = requireId("sub", options.sub);
  const sid = options.sid === undefined ? undefined : requireId("sid", options.sid);
  const scope = typeof options.scope === "string" ? options.scope : options.scope.join(" ");
  if (typeof issuer !== "string" || issuer.length === 0) throw new TypeError("issuer must be a non-empty string");
  if (typeof audience !== "string" || audience.length === 0) throw new TypeError("audience must be a non-empty string");
  const jti = options.jti ?? createJti(now);
  if (typeof jti !== "string" || jti.length === 0) throw new TypeError("jti must be a non-empty string");
  if (extraClaims !== undefined) {
    for (const name of Object.keys(extraClaims)) {
      if (RESERVED.has(name)) throw new TypeError(`extraClaims may not set the registered claim "${name}"`);
    }
  }

  const iat = Math.floor(now / 1000);
  const exp = iat + ttlSeconds;
  // JSON.stringify leaves out an undefined sid, so a sessionless token has no `sid` at all.
  const claims = { iss: issuer, sub, aud: audience, iat, nbf: iat, exp, jti, scope, sid, ...extraClaims };
  const signingInput = `${key.encodedHeader}.${encodeBase64url(JSON.stringify(claims))}`;
  const token = `${signingInput}.${createJwsSignature(key.alg, key.privateKey, signingInput).toString("base64url")}`;
  // Fail here rather than hand out a token every verifier refuses.
  if (token.length > MAX_ACCESS_TOKEN_LENGTH) throw new RangeError("the access token would exceed 8 KiB; trim extraClaims");
  return { token, jti, expiresAt: exp * 1000 };
}

function requireId(name: string, value: string | number): string {
  const id = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof id !== "string" || id.length === 0) throw new TypeError(`${name} must be a non-empty string or an integer`);
  return id;
}

import type { Failure } from "../errors.js";
import { HTTP_TOKEN, trimOws } from "./syntax.js";

/** An `Authorization` value split into its scheme and its (possibly empty) credentials. */
export interface AuthorizationParts {
  ok: true;
  /** The scheme as written; compare it case-insensitively (RFC 9110 11.1). */
  scheme: string;
  /** Everything after the scheme and its separating spaces: token68 or auth-params, or "". */
  credentials: string;
}

/**
 * What a credential reader answers: `null` when the request carries no credentials of its
 * kind (answer 401 `token_missing`), the parsed credentials, or `token_malformed` when they are
 * of its kind but unusable (answer 401). Credentials presented twice (two fields, a 400) are
 * told apart by the HTTP layer, which sees the fields; a reader sees one string.
 */
export type CredentialsResult<T> = (T & { ok: true }) | Failure<"token_malformed"> | null;

/**
 * Splits an `Authorization` header value per RFC 9110 11.6.2 (`auth-scheme [ 1*SP ( token68 / #auth-param ) ]`).
 * An absent or blank value gives `null`; a value whose scheme is not an HTTP token gives `null` (no credential of any scheme).
 *
 * @example
 * readAuthorization("bearer abc"); // { ok: true, scheme: "bearer", credentials: "abc" }
 */
export function readAuthorization(headerValue: string | null | undefined): CredentialsResult<AuthorizationParts> {
  if (headerValue === undefined || headerValue === null) return null;
  const value = trimOws(headerValue);
  if (value === "") return null;

  const space = value.indexOf(" ");
  const scheme = space === -1 ? value : value.slice(0, space);
  const credentials = space === -1 ? "" : value.slice(space + 1).replace(/^ +/, "");
  // No recognisable scheme: no credential of any scheme is present (a 401 token_missing, whatever
  // else the header holds), never a 400 or a fault.
  if (!HTTP_TOKEN.test(scheme)) return null;
  return { ok: true, scheme, credentials };
}


/**
 * Validates an auth-scheme name given as an option; misuse, so it throws.
 * @internal
 */
export function assertSchemeName(scheme: string): void {
  if (typeof scheme !== "string" || !HTTP_TOKEN.test(scheme)) {
    throw new TypeError(`auth scheme name must be an HTTP token, got ${JSON.stringify(scheme)}`);
  }
}

import type { CredentialsResult } from "./authorization.js";
import { trimOws } from "./syntax.js";

/** A token read from a custom header such as `api-token` or `X-API-Key`. */
export interface HeaderToken {
  token: string;
}

// One run of visible ASCII: a space means two values (or joined duplicate headers).
const VISIBLE = /^[\x21-\x7E]+$/;

/**
 * Reads a token sent in a custom header (`api-token: <jwt>`, `X-API-Key: <key>`): pass the
 * header's value. `null` when absent or blank; `invalid_request` when it is not a single
 * run of visible ASCII characters.
 *
 * @example
 * readHeaderToken(request.headers["api-token"]); // { ok: true, token: "eyJ..." }
 */
export function readHeaderToken(headerValue: string | null | undefined): CredentialsResult<HeaderToken> {
  if (headerValue === undefined || headerValue === null) return null;
  const value = trimOws(headerValue);
  if (value === "") return null;
  if (!VISIBLE.test(value)) {
    return { ok: false, code: "token_malformed", detail: "The token header must carry exactly one token" };
  }
  return { ok: true, token: value };
}

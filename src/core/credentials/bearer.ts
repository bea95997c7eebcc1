import { assertSchemeName, readAuthorization, type CredentialsResult } from "./authorization.js";
import { TOKEN68 } from "./syntax.js";

/** Options of {@link readBearerToken}. */
export interface ReadBearerTokenOptions {
  /** The auth-scheme to accept, matched case-insensitively: `Bearer` (default), `Token`, `JWT`, ... */
  scheme?: string;
}

/** A token read from `Authorization: <scheme> <token>`. */
export interface BearerToken {
  token: string;
}

/**
 * Reads the token of `Authorization: Bearer <token>` (RFC 6750 2.1), or of another
 * single-token scheme such as `Token` or `JWT`. `null` when the header is absent or uses
 * another scheme; `token_malformed` when the scheme matches but there is no token, more
 * than one, or characters outside token68.
 *
 * @example
 * readBearerToken("Token abc", { scheme: "Token" }); // { ok: true, token: "abc" }
 * readBearerToken("Bearer");                          // { ok: false, code: "token_malformed", ... }
 */
export function readBearerToken(
  headerValue: string | null | undefined,
  options: ReadBearerTokenOptions = {},
): CredentialsResult<BearerToken> {
  const scheme = options.scheme ?? "Bearer";
  assertSchemeName(scheme);
  const parts = readAuthorization(headerValue);
  if (parts === null || !parts.ok) return parts;
  if (parts.scheme.toLowerCase() !== scheme.toLowerCase()) return null;

  if (parts.credentials === "") {
    return { ok: false, code: "token_malformed", detail: `The ${scheme} credentials carry no token` };
  }
  // Covers "two tokens" (a space), quotes and stray characters alike: our scheme, an unusable token.
  if (!TOKEN68.test(parts.credentials)) {
    return { ok: false, code: "token_malformed", detail: `The ${scheme} credentials are not a single token` };
  }
  return { ok: true, token: parts.credentials };
}

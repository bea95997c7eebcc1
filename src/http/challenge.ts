import { assertSchemeName } from "../core/credentials/authorization.js";
import { formatScope, type ScopeInput } from "../core/scopes.js";

/** The RFC 6750 3.1 error codes a Bearer challenge can carry. */
export type BearerError = "invalid_request" | "invalid_token" | "insufficient_scope";

/** Options of {@link formatChallenge}. */
export interface FormatChallengeOptions {
  /** The auth-scheme, an HTTP token (`Bearer`, `Basic`, `ApiKey`). */
  scheme: string;
  /** auth-params in order; `undefined` values are left out. Values are sent as quoted-strings. */
  params?: Readonly<Record<string, string | undefined>>;
}

/**
 * Formats one `WWW-Authenticate` challenge (RFC 9110 11.6.1), escaping `"` and `\` in values.
 * Characters a header cannot carry (controls, non-ASCII) become `?`, so a value can never
 * split the header.
 *
 * @example
 * formatChallenge({ scheme: "Bearer", params: { realm: "tessera" } }); // 'Bearer realm="tessera"'
 */
export function formatChallenge(options: FormatChallengeOptions): string {
  assertSchemeName(options.scheme);
  const params = Object.entries(options.params ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quoteString(value)}`);
  return params.length === 0 ? options.scheme : `${options.scheme} ${params.join(", ")}`;
}

/**
 * Joins several challenges into one `WWW-Authenticate` value (RFC 9110 allows a list).
 *
 * @example
 * joinChallenges(['Token realm="x"', 'Basic realm="x", charset="UTF-8"']);
 */
export function joinChallenges(challenges: readonly string[]): string {
  return challenges.join(", ");
}

/** Options of {@link formatBearerChallenge}. */
export interface BearerChallengeOptions {
  /** Defaults to `Bearer`; `Token`, `JWT` and custom schemes take the same parameters. */
  scheme?: string;
  realm: string;
  error?: BearerError;
  /** Human-readable; never the token. Reduced to the RFC 6750 3 character set. */
  errorDescription?: string;
  /** For `insufficient_scope`: the scope the resource needs. */
  scope?: ScopeInput;
}

/**
 * Formats an RFC 6750 3 Bearer challenge.
 *
 * @example
 * formatBearerChallenge({ realm: "tessera", error: "insufficient_scope", scope: ["posts:write"] });
 * // 'Bearer realm="tessera", error="insufficient_scope", scope="posts:write"'
 */
export function formatBearerChallenge(options: BearerChallengeOptions): string {
  const scope = options.scope === undefined ? undefined : formatScope(options.scope);
  return formatChallenge({
    scheme: options.scheme ?? "Bearer",
    params: {
      realm: options.realm,
      error: options.error,
      error_description:
        options.errorDescription === undefined ? undefined : sanitizeErrorDescription(options.errorDescription),
      scope: scope === "" ? undefined : scope,
    },
  });
}

/**
 * Formats the RFC 7617 Basic challenge, always announcing UTF-8 (section 2.1).
 *
 * @example
 * formatBasicChallenge({ realm: "tessera" }); // 'Basic realm="tessera", charset="UTF-8"'
 */
export function formatBasicChallenge(options: { realm: string }): string {
  return formatChallenge({ scheme: "Basic", params: { realm: options.realm, charset: "UTF-8" } });
}

/**
 * Rejects a realm that cannot be sent verbatim (misuse at construction, so it throws).
 * @internal
 */
export function assertRealm(realm: unknown): asserts realm is string {
  if (typeof realm !== "string" || realm === "" || !/^[\x20-\x7E]+$/.test(realm)) {
    throw new TypeError("realm must be a non-empty string of printable ASCII characters");
  }
}

function quoteString(value: string): string {
  const safe = value.replace(/[^\t\x20-\x7E]/g, "?").replace(/["\\]/g, (c) => `\\${c}`);
  return `"${safe}"`;
}

// RFC 6750 3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
function sanitizeErrorDescription(value: string): string {
  return value.replace(/"/g, "'").replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, "?");
}

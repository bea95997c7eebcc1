/**
 * OAuth 2.0 scopes (RFC 6749 section 3.3): a space-delimited list of scope tokens,
 * each 1*( %x21 / %x23-5B / %x5D-7E ), i.e. printable ASCII without space, `"` or `\`.
 */

/** A scope list as it arrives: a space-delimited string or an array of scope tokens. */
export type ScopeInput = string | readonly string[];

/** A scope request or scope string that is not acceptable (RFC 6749 5.2 `invalid_scope`). */
export interface ScopeFailure {
  ok: false;
  code: "invalid_scope";
  /** The offending scope tokens (never secrets: scopes are public names). */
  invalid: string[];
  detail: string;
}

/** The result of {@link parseScope}. */
export type ParseScopeResult = { ok: true; scopes: string[] } | ScopeFailure;

/** The result of {@link narrowScope}: the scopes to grant, as a list and as a string. */
export type NarrowScopeResult = { ok: true; scopes: string[]; scope: string } | ScopeFailure;

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Whether `value` is a single RFC 6749 scope-token.
 *
 * @example
 * isScopeToken("posts:write"); // true
 * isScopeToken("posts write"); // false
 */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/**
 * Parses a scope string into normalised scope tokens (deduplicated, sorted).
 * Runs of spaces and leading/trailing spaces are tolerated; any other character
 * outside the scope-token set makes the whole string invalid.
 *
 * @example
 * parseScope("posts:write posts:read posts:write");
 * // { ok: true, scopes: ["posts:read", "posts:write"] }
 */
export function parseScope(value: string): ParseScopeResult {
  const tokens = splitScope(value);
  const invalid = tokens.filter((token) => !isScopeToken(token));
  if (invalid.length > 0) return scopeFailure(invalid, "The scope contains characters RFC 6749 does not allow");
  return { ok: true, scopes: normalizeScopes(tokens) };
}

/**
 * Deduplicates and sorts scope tokens so that equal scope sets compare and print equally.
 *
 * @example
 * normalizeScopes(["b", "a", "b"]); // ["a", "b"]
 */
export function normalizeScopes(scopes: Iterable<string>): string[] {
  // Code-unit order, not locale order: the result must not depend on the host's locale.
  return [...new Set(scopes)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Formats scopes as the canonical space-delimited string (normalised).
 *
 * @example
 * formatScope(["posts:write", "posts:read"]); // "posts:read posts:write"
 */
export function formatScope(scopes: ScopeInput): string {
  return normalizeScopes(toScopeList(scopes)).join(" ");
}

/**
 * Whether every required scope is granted.
 *
 * @example
 * hasScopes("posts:read posts:write", ["posts:write"]); // true
 */
export function hasScopes(granted: ScopeInput, required: ScopeInput): boolean {
  return missingScopes(granted, required).length === 0;
}

/**
 * The required scopes that are not granted, normalised.
 *
 * @example
 * missingScopes("posts:read", "posts:read posts:write"); // ["posts:write"]
 */
export function missingScopes(granted: ScopeInput, required: ScopeInput): string[] {
  const grantedSet = new Set(toScopeList(granted));
  return normalizeScopes(toScopeList(required)).filter((scope) => !grantedSet.has(scope));
}

/**
 * Decides the scope to grant for a request: nothing requested (absent or empty) means
 * everything allowed; otherwise every requested scope must be allowed, else `invalid_scope`.
 *
 * @example
 * narrowScope("posts:read", "posts:read posts:write");
 * // { ok: true, scopes: ["posts:read"], scope: "posts:read" }
 */
export function narrowScope(requested: ScopeInput | undefined, allowed: ScopeInput): NarrowScopeResult {
  const allowedScopes = normalizeScopes(toScopeList(allowed));
  const requestedScopes = requested === undefined ? [] : toScopeList(requested);
  if (requestedScopes.length === 0) return { ok: true, scopes: allowedScopes, scope: allowedScopes.join(" ") };

  const malformed = requestedScopes.filter((token) => !isScopeToken(token));
  if (malformed.length > 0) {
    return scopeFailure(malformed, "The requested scope contains characters RFC 6749 does not allow");
  }
  const notAllowed = missingScopes(allowedScopes, requestedScopes);
  if (notAllowed.length > 0) return scopeFailure(notAllowed, `Scope not allowed: ${notAllowed.join(" ")}`);
  const scopes = normalizeScopes(requestedScopes);
  return { ok: true, scopes, scope: scopes.join(" ") };
}

function splitScope(value: string): string[] {
  return value.split(" ").filter((token) => token !== "");
}

function toScopeList(scopes: ScopeInput): string[] {
  return typeof scopes === "string" ? splitScope(scopes) : scopes.filter((token) => token !== "");
}

function scopeFailure(invalid: string[], detail: string): ScopeFailure {
  return { ok: false, code: "invalid_scope", invalid: normalizeScopes(invalid), detail };
}

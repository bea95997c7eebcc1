import { assertSchemeName } from "../../core/credentials/authorization.js";
import { readBearerToken } from "../../core/credentials/bearer.js";
import { assertRealm } from "../challenge.js";
import type { RequestView } from "../request-view.js";
import { assertFunction, presentedTwice, formatTokenChallenge, runVerify, type AuthScheme, type VerifyContext, type VerifyResult } from "../scheme.js";

/** Options of {@link bearerScheme}. */
export interface BearerSchemeOptions<A> {
  /** The auth-scheme name, matched case-insensitively. Default `Bearer`; seeds use `Token` and `JWT`. */
  scheme?: string;
  /** Checks the token; never sees a malformed one. */
  verify(token: string, context: VerifyContext): Promise<VerifyResult<A>> | VerifyResult<A>;
  /** Overrides the guard's realm. */
  realm?: string;
}

/**
 * `Authorization: Bearer <token>` (RFC 6750), or any single-token scheme such as
 * `Authorization: Token <t>` or `Authorization: JWT <t>`.
 *
 * @example
 * const jwt = bearerScheme({ scheme: "JWT", verify: async (token) => verifyMyJwt(token) });
 */
export function bearerScheme<A>(options: BearerSchemeOptions<A>): AuthScheme<A> {
  const scheme = options.scheme ?? "Bearer";
  assertSchemeName(scheme);
  assertFunction(options.verify, "bearerScheme verify");
  if (options.realm !== undefined) assertRealm(options.realm);
  const verify = options.verify;

  return {
    key: `authorization:${scheme.toLowerCase()}`,
    name: scheme,
    realm: options.realm,
    async authenticate(request: RequestView) {
      const read = readBearerToken(request.header("authorization"), { scheme });
      if (read === null) return null;
      if (!read.ok) return presentedTwice(request, "authorization") ?? read;
      const token = read.token;
      return runVerify(() => verify(token, { request }), [token]);
    },
    challenge(request) {
      return formatTokenChallenge(scheme, request);
    },
  };
}

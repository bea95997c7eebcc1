import { assertSchemeName } from "../../core/credentials/authorization.js";
import { readHeaderToken } from "../../core/credentials/header-token.js";
import { HTTP_TOKEN } from "../../core/credentials/syntax.js";
import { assertRealm } from "../challenge.js";
import type { RequestView } from "../request-view.js";
import { assertFunction, presentedTwice, formatTokenChallenge, runVerify, type AuthScheme, type VerifyContext, type VerifyResult } from "../scheme.js";

/** Options of {@link headerScheme}. */
export interface HeaderSchemeOptions<A> {
  /** The header carrying the token, e.g. `api-token` (the api-token tutorial) or `X-API-Key`. */
  header: string;
  verify(token: string, context: VerifyContext): Promise<VerifyResult<A>> | VerifyResult<A>;
  /** Overrides the guard's realm. */
  realm?: string;
  /**
   * The auth-scheme named in `WWW-Authenticate`. HTTP has no registered scheme for custom
   * headers, yet a 401 must carry a challenge (RFC 9110 15.5.2). Default `ApiKey`.
   */
  challengeScheme?: string;
}

/**
 * A token in a custom header. Challenges read `ApiKey realm="...", header="api-token"`, with
 * RFC 6750-style `error` and `error_description` on failures.
 *
 * @example
 * const apiToken = headerScheme({ header: "api-token", verify: async (token) => verifyMyJwt(token) });
 */
export function headerScheme<A>(options: HeaderSchemeOptions<A>): AuthScheme<A> {
  const header = options.header;
  if (typeof header !== "string" || !HTTP_TOKEN.test(header)) {
    throw new TypeError("headerScheme header must be a valid HTTP header name");
  }
  if (header.toLowerCase() === "authorization") {
    throw new TypeError("headerScheme cannot read Authorization; use bearerScheme or basicScheme");
  }
  const challengeScheme = options.challengeScheme ?? "ApiKey";
  assertSchemeName(challengeScheme);
  assertFunction(options.verify, "headerScheme verify");
  if (options.realm !== undefined) assertRealm(options.realm);
  const verify = options.verify;
  const lowerHeader = header.toLowerCase();

  return {
    key: `header:${lowerHeader}`,
    name: header,
    realm: options.realm,
    async authenticate(request: RequestView) {
      const read = readHeaderToken(request.header(lowerHeader));
      if (read === null) return null;
      if (!read.ok) return presentedTwice(request, lowerHeader) ?? read;
      const token = read.token;
      return runVerify(() => verify(token, { request }), [token]);
    },
    challenge(request) {
      return formatTokenChallenge(challengeScheme, request, { header });
    },
  };
}

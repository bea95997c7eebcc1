import { readBasicCredentials } from "../../core/credentials/basic.js";
import { assertRealm, formatBasicChallenge } from "../challenge.js";
import { statusForCode } from "../problem.js";
import type { RequestView } from "../request-view.js";
import { assertFunction, presentedTwice, runVerify, type AuthScheme, type VerifyContext, type VerifyResult } from "../scheme.js";

/** Options of {@link basicScheme}. */
export interface BasicSchemeOptions<A> {
  /**
   * Checks a user-id and password (RFC 7617). Answer the same failure for an unknown user and
   * a wrong password. The username may be a token with the password ignored (the Udacity tutorial).
   */
  verify(username: string, password: string, context: VerifyContext): Promise<VerifyResult<A>> | VerifyResult<A>;
  /** Overrides the guard's realm. */
  realm?: string;
}

/**
 * `Authorization: Basic base64(user:password)`, decoded as UTF-8 and announced with
 * `charset="UTF-8"` (RFC 7617 2.1).
 *
 * @example
 * const basic = basicScheme({ verify: (username, password) => checkPassword(username, password) });
 */
export function basicScheme<A>(options: BasicSchemeOptions<A>): AuthScheme<A> {
  assertFunction(options.verify, "basicScheme verify");
  if (options.realm !== undefined) assertRealm(options.realm);
  const verify = options.verify;

  return {
    key: "authorization:basic",
    name: "Basic",
    realm: options.realm,
    async authenticate(request: RequestView) {
      const read = readBasicCredentials(request.header("authorization"));
      if (read === null) return null;
      // Malformed Basic (bad base64, no colon, control characters) is bad credentials: 401 with
      // the Basic challenge. RFC 7617 has no 400; RFC 6750's invalid_request is for bearer tokens.
      if (!read.ok) return presentedTwice(request, "authorization") ?? { ok: false, code: "credentials_invalid", detail: read.detail ?? "The Basic credentials are malformed" };
      const twice = presentedTwice(request, "authorization");
      if (twice !== null) return twice;
      const { username, password } = read;
      // The username is a secret too when it carries a token (the Udacity tutorial).
      return runVerify(() => verify(username, password, { request }), [username, password]);
    },
    challenge(request) {
      // Basic has no error parameters: the same challenge for "none" and every 401.
      const code = request.code ?? "token_missing";
      return statusForCode(code) === 401 ? formatBasicChallenge({ realm: request.realm }) : undefined;
    },
  };
}

import type { ErrorCode } from "../core/errors.js";
import type { AuthScheme, VerifyResult } from "../http/scheme.js";
import { basicScheme } from "../http/schemes/basic.js";
import { bearerScheme } from "../http/schemes/bearer.js";
import { headerScheme } from "../http/schemes/header.js";
import type { Principal, Result } from "./types.js";
import type { LoginUser } from "./user-directory.js";

/** Maps a verified principal to what a route receives (the app's user); null refuses the request. */
export type LoadPrincipal<A> = (principal: Principal) => A | null | undefined | Promise<A | null | undefined>;

/** Options of `tessera.bearer()` and `tessera.header()`. */
export interface TokenVerifierOptions<A> {
  /** Turns the principal into the app's user (typed, no cast in routes). Default: the principal itself. */
  load?: LoadPrincipal<A>;
  /**
   * Which tokens are accepted: `"access"` (JWTs of a login), `"pat"` (personal access tokens)
   * and app kinds (`"api"`). Default: access tokens and personal access tokens.
   */
  accept?: readonly string[];
  /** Overrides the guard's realm. */
  realm?: string;
}

/** Options of `tessera.bearer()`. */
export interface BearerVerifierOptions<A> extends TokenVerifierOptions<A> {
  /** The auth-scheme name (`Bearer`, `Token`, `JWT`), case-insensitive. Default `Bearer`. */
  scheme?: string;
}

/** Options of `tessera.header()`. */
export interface HeaderVerifierOptions<A> extends TokenVerifierOptions<A> {
  /** The scheme named in `WWW-Authenticate` for this header. Default `ApiKey`. */
  challengeScheme?: string;
}

/** Options of `tessera.basic()`. */
export interface BasicVerifierOptions<U, A> {
  /** Maps the app's user found by `users.findForLogin` to what the route receives. Default: that user. */
  load?: (user: U) => A | Promise<A>;
  /**
   * Also accept a token as the Basic username with any password (the Udacity tutorial's
   * "token or password" route); the principal goes through this mapping.
   */
  tokenAsUsername?: { load: LoadPrincipal<A>; accept?: readonly string[] };
  realm?: string;
}

/** What the facade lends the verifiers. */
export interface VerifierHost<U extends LoginUser> {
  verifyToken(token: string, accept: readonly string[]): Promise<Result<{ principal: Principal }, ErrorCode>>;
  checkPassword(username: string, password: string): Promise<Result<{ user: U }, "credentials_invalid">>;
  /** What a password grants: the user's full scope (the password is the user's whole authority). */
  scopesOf(user: U): readonly string[];
}

export const DEFAULT_ACCEPTED_TOKENS: readonly string[] = ["access", "pat"];

async function loadVerified<A>(result: Result<{ principal: Principal }, ErrorCode>, load: LoadPrincipal<A> | undefined): Promise<VerifyResult<A>> {
  if (!result.ok) return result.detail === undefined ? { ok: false, code: result.code } : { ok: false, code: result.code, detail: result.detail };
  const scopes = result.principal.scopes;
  if (load === undefined) return { ok: true, auth: result.principal as A, scopes };
  const loaded = await load(result.principal);
  // The token is genuine but its user is gone (deleted by the app): the token is no good.
  if (loaded === null || loaded === undefined) return { ok: false, code: "token_invalid", detail: "The token's user no longer exists" };
  // The route's scopes are checked against the token's, whatever object the app maps it to.
  return { ok: true, auth: loaded, scopes };
}

export function createBearerVerifier<U extends LoginUser, A>(host: VerifierHost<U>, options: BearerVerifierOptions<A> = {}): AuthScheme<A> {
  const accept = options.accept ?? DEFAULT_ACCEPTED_TOKENS;
  return bearerScheme<A>({
    ...(options.scheme === undefined ? {} : { scheme: options.scheme }),
    ...(options.realm === undefined ? {} : { realm: options.realm }),
    verify: async (token) => loadVerified(await host.verifyToken(token, accept), options.load),
  });
}

export function createHeaderVerifier<U extends LoginUser, A>(host: VerifierHost<U>, header: string, options: HeaderVerifierOptions<A> = {}): AuthScheme<A> {
  const accept = options.accept ?? DEFAULT_ACCEPTED_TOKENS;
  return headerScheme<A>({
    header,
    ...(options.challengeScheme === undefined ? {} : { challengeScheme: options.challengeScheme }),
    ...(options.realm === undefined ? {} : { realm: options.realm }),
    verify: async (token) => loadVerified(await host.verifyToken(token, accept), options.load),
  });
}

export function createBasicVerifier<U extends LoginUser, A>(host: VerifierHost<U>, options: BasicVerifierOptions<U, A> = {}): AuthScheme<A> {
  const viaToken = options.tokenAsUsername;
  return basicScheme<A>({
    ...(options.realm === undefined ? {} : { realm: options.realm }),
    verify: async (username, password) => {
      if (viaToken !== undefined) {
        const asToken = await host.verifyToken(username, viaToken.accept ?? DEFAULT_ACCEPTED_TOKENS);
        if (asToken.ok) return loadVerified(asToken, viaToken.load);
      }
      const checked = await host.checkPassword(username, password);
      if (!checked.ok) return { ok: false, code: "credentials_invalid", detail: "The username or password is incorrect" };
      const auth = options.load === undefined ? (checked.user as unknown as A) : await options.load(checked.user);
      return { ok: true, auth, scopes: host.scopesOf(checked.user) };
    },
  });
}

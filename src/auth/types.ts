import type { ErrorCode } from "../core/errors.js";

/**
 * Who a verified credential speaks for: `request.auth` behind `tessera.bearer()` unless a
 * `load` mapping turns it into the app's own user.
 *
 * @example
 * if (principal.tokenType === "personal_access_token") console.log("PAT", principal.tokenId);
 */
export interface Principal {
  /** The app's user id, as a string (UUIDs, text and numbers alike). */
  userId: string;
  /**
   * What was presented: a JWT access token of a login, a personal access token, one of the app's
   * token kinds, or a machine client's access token (client credentials grant).
   */
  tokenType: "access_token" | "personal_access_token" | "app_token" | "client_token";
  /** For `app_token`: the app's kind (`"api"`, ...); `"pat"` for personal access tokens; `"access"` for JWTs; `"client"` for client tokens. */
  tokenKind: string;
  /**
   * For `client_token`: the machine client's id (the JWT's `sub` and `client_id`). `userId` is
   * then the client's owner, or `""` for a client that acts for no user.
   */
  clientId?: string | null;
  /** Granted scopes, normalised. */
  scopes: string[];
  /** The login session (access tokens only). */
  sessionId: number | null;
  /** The stored token's id (personal access tokens and app tokens). */
  tokenId: number | null;
  /** The JWT's `jti` (access tokens only). */
  jti: string | null;
  /** epoch ms. */
  issuedAt: number;
  /** epoch ms; null for an opaque token without expiry. */
  expiresAt: number | null;
}

/** What a login or a refresh hands out. */
export interface TokenPair {
  accessToken: string;
  tokenType: "Bearer";
  expiresInSeconds: number;
  refreshToken: string;
  scope: string;
  sessionId: number;
}

/**
 * An operation's outcome: `{ ok: true, ...value }` or the one failure shape, `{ ok: false, code, detail? }`.
 *
 * @example
 * const result: Result<{ pair: TokenPair }, "credentials_invalid"> = await tessera.login("ada", "pw");
 */
export type Result<T, C extends ErrorCode = ErrorCode> = ({ ok: true } & T) | { ok: false; code: C; detail?: string };

/** Where a login came from, shown in the session list. */
export interface ClientInfo {
  userAgent?: string | null | undefined;
  ip?: string | null | undefined;
}

/** The codes a presented token can be refused with. */
export type TokenFailureCode = "token_malformed" | "token_expired" | "token_revoked" | "token_invalid";

import type { ErrorCode } from "../errors.js";

/** Who a verified credential speaks for; this is `request.auth` in every adapter. */
export interface TesseraAuth {
  userId: number;
  tokenType: "access_token" | "personal_access_token";
  /** Granted scopes, normalised. */
  scopes: string[];
  /** The login session (access tokens only). */
  sessionId: number | null;
  /** epoch ms; null for a personal access token without expiry. */
  expiresAt: number | null;
  issuedAt: number;
  jti: string | null;
  personalAccessTokenId: number | null;
}

/** What `POST /api/tokens`, `/api/tokens/refresh` and `/oauth/token` hand out. */
export interface TokenPair {
  accessToken: string;
  tokenType: "Bearer";
  expiresInSeconds: number;
  refreshToken: string;
  scope: string;
  sessionId: number;
}

export type Result<T, C extends ErrorCode = ErrorCode> =
  | ({ ok: true } & T)
  | { ok: false; code: C; detail?: string };

/** Where a login came from, shown in the session list. */
export interface ClientInfo {
  userAgent?: string | null | undefined;
  ip?: string | null | undefined;
}

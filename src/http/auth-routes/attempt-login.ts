import type { Tessera } from "../../auth/create-tessera.js";
import type { TokenPair } from "../../auth/types.js";
import type { LoginUser } from "../../auth/user-directory.js";
import { clientIpKey, tighterDecision, type LimitDecision } from "../rate-limit.js";
import type { LoginLimits } from "./login-limits.js";

/**
 * What a login attempt came to. `rateLimit` is the login limit closest to refusing this client
 * (null when the limits are off), for the `RateLimit-*` headers of every answer.
 */
export type LoginOutcome<U> = { rateLimit: LimitDecision | null } & (
  | { ok: true; pair: TokenPair; user: U }
  | { ok: false; code: "rate_limited"; retryAfterSeconds: number; detail: string; limit: "login-ip" | "login-account" }
  | { ok: false; code: "credentials_invalid"; detail: string }
  | { ok: false; code: "validation_failed"; detail: string }
);

/** One password login as a client presented it. */
export interface LoginAttempt {
  username: string;
  password: string;
  scope?: string | undefined;
  ip: string;
  userAgent: string | null;
}

/**
 * A password login under the abuse limits: every attempt counts against the client IP; attempts
 * count against the account until one succeeds (known or not, so locking says nothing about
 * which usernames exist); a locked account refuses even the right password, from anywhere,
 * without locking any other account.
 *
 * @example
 * const outcome = await attemptLogin(tessera, createLoginLimits(), { username, password, ip, userAgent: null });
 */
export async function attemptLogin<U extends LoginUser>(tessera: Tessera<U>, limits: LoginLimits, attempt: LoginAttempt): Promise<LoginOutcome<U>> {
  const accountKey = attempt.username.toLowerCase();
  const ipDecision = limits.perIp ? await limits.perIp.hit(clientIpKey(attempt.ip)) : null;
  if (ipDecision && !ipDecision.allowed) {
    return { ok: false, code: "rate_limited", limit: "login-ip", retryAfterSeconds: ipDecision.resetSeconds, detail: "Too many login attempts from this address", rateLimit: ipDecision };
  }
  // Counted before verifying, atomically: concurrent guesses cannot all slip in under the
  // limit while the first ones are still being checked. A success clears the count again.
  const accountDecision = limits.perAccount ? await limits.perAccount.hit(accountKey) : null;
  if (accountDecision && !accountDecision.allowed) {
    return { ok: false, code: "rate_limited", limit: "login-account", retryAfterSeconds: accountDecision.resetSeconds, detail: "Too many failed logins for this account", rateLimit: accountDecision };
  }
  let login: Awaited<ReturnType<Tessera<U>["login"]>>;
  try {
    login = await tessera.login(attempt.username, attempt.password, {
      scope: attempt.scope,
      client: { ip: attempt.ip, userAgent: attempt.userAgent },
    });
  } catch (error) {
    // A login that could not be checked (database down, hashing queue full, any fault) is not a
    // failed login: it must not count towards locking the account.
    if (limits.perAccount) await limits.perAccount.refund(accountKey).catch(() => undefined);
    throw error;
  }
  if (!login.ok && login.code === "credentials_invalid") {
    return { ok: false, code: "credentials_invalid", detail: "The username or password is incorrect", rateLimit: tighterDecision(ipDecision, accountDecision) };
  }
  // The password was right: the account's count is cleared; only the address limit still
  // constrains this client.
  if (limits.perAccount) await limits.perAccount.reset(accountKey);
  if (!login.ok) return { ok: false, code: "validation_failed", detail: login.detail ?? "invalid scope", rateLimit: ipDecision };
  return { ok: true, pair: login.pair, user: login.user, rateLimit: ipDecision };
}

/**
 * The JSON body of a token response (RFC 6749 5.1).
 *
 * @example
 * res.set("Cache-Control", "no-store").json(tokenResponseBody(pair));
 */
export function tokenResponseBody(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresInSeconds,
    refresh_token: pair.refreshToken,
    scope: pair.scope,
  };
}

import type { TokenPair } from "../core/auth/types.js";
import type { ServerContext } from "./context.js";
import { tighterDecision, type LimitDecision } from "./rate-limits.js";

/**
 * What a login attempt came to. `rateLimit` is the login limit closest to refusing this client
 * (null when the limits are off), for the `RateLimit-*` headers of every answer.
 */
export type LoginOutcome = { rateLimit: LimitDecision | null } & (
  | { ok: true; pair: TokenPair }
  | { ok: false; code: "rate_limited"; retryAfterSeconds: number; detail: string }
  | { ok: false; code: "credentials_invalid"; detail: string }
  | { ok: false; code: "validation_failed"; detail: string }
);

export interface LoginAttempt {
  username: string;
  password: string;
  scope?: string | undefined;
  ip: string;
  userAgent: string | null;
}

/**
 * A password login under the abuse limits of contract section 4: every attempt counts against
 * the client IP; attempts count against the account until one succeeds (known or not, so locking
 * says nothing about which usernames exist), so the count is of failures; a locked account
 * refuses even the right password, from anywhere, without locking any other account.
 */
export async function attemptLogin(context: ServerContext, attempt: LoginAttempt): Promise<LoginOutcome> {
  const { limits, tessera, metrics } = context;
  const accountKey = attempt.username.toLowerCase();

  const ipDecision = limits.loginIp ? await limits.loginIp.hit(attempt.ip) : null;
  if (ipDecision && !ipDecision.allowed) {
    metrics.rateLimited.inc({ limit: "login-ip" });
    return { ok: false, code: "rate_limited", retryAfterSeconds: ipDecision.resetSeconds, detail: "Too many login attempts from this address", rateLimit: ipDecision };
  }
  // Counted before verifying, atomically: concurrent guesses cannot all slip in under the
  // limit while the first ones are still being checked. A success clears the count again.
  const accountDecision = limits.loginAccount ? await limits.loginAccount.hit(accountKey) : null;
  if (accountDecision && !accountDecision.allowed) {
    metrics.rateLimited.inc({ limit: "login-account" });
    return { ok: false, code: "rate_limited", retryAfterSeconds: accountDecision.resetSeconds, detail: "Too many failed logins for this account", rateLimit: accountDecision };
  }

  const verdict = await tessera.verifyCredentials(attempt.username, attempt.password);
  if (!verdict.ok) {
    metrics.authOutcomes.inc({ outcome: "credentials_invalid" });
    return { ok: false, code: "credentials_invalid", detail: "The username or password is incorrect", rateLimit: tighterDecision(ipDecision, accountDecision) };
  }
  // The account's count is cleared: only the address limit still constrains this client.
  if (limits.loginAccount) await limits.loginAccount.reset(accountKey);
  const scope = tessera.resolveScope(verdict.user, attempt.scope);
  if (!scope.ok) return { ok: false, code: "validation_failed", detail: scope.detail ?? "invalid scope", rateLimit: ipDecision };

  const pair = await tessera.startSession(verdict.user, { scope: scope.scope, client: { ip: attempt.ip, userAgent: attempt.userAgent } });
  await context.users.touchUser(verdict.user.id, tessera.clock.now());
  metrics.authOutcomes.inc({ outcome: "ok" });
  metrics.tokensIssued.inc({ kind: "access_token" });
  metrics.tokensIssued.inc({ kind: "refresh_token" });
  return { ok: true, pair, rateLimit: ipDecision };
}

/** The JSON body of a token response (RFC 6749 5.1). */
export function tokenResponseBody(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresInSeconds,
    refresh_token: pair.refreshToken,
    scope: pair.scope,
  };
}

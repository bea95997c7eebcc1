import type { AuditLog } from "./audit-log.js";
import type { Clock } from "../core/clock.js";
import type { TokenStore } from "../core/token-store.js";
import type { RevocationService } from "./revocation-service.js";
import type { StoredKeyRing } from "./signing-keys.js";
import type { TouchStamps } from "./touch-stamps.js";

/** What the facade's parts share, built once by `createTessera`. */
export interface TesseraContext {
  store: TokenStore;
  clock: Clock;
  keys: StoredKeyRing;
  revocations: RevocationService;
  touches: TouchStamps;
  /** Where authentication events go (a no-op when the audit log is off). */
  audit: AuditLog;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  maxOpaqueTokenTtlSeconds: number;
  /** HMAC key of refresh successors and app tokens (a store secret shared by every instance). */
  derivationKey: Buffer;
}

/**
 * The longest access-token lifetime Tessera accepts (24 h). Revocations of sessions and users
 * are kept this long, so they outlive every token any instance could have issued.
 */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 86_400;

/** When a revocation entry may be forgotten: after any access token it could cover has expired. */
export function revocationExpiry(clock: Clock): number {
  // Instances (and the CLI) may run with different TTLs, so the bound is the longest TTL allowed.
  return clock.now() + (MAX_ACCESS_TOKEN_TTL_SECONDS + 120) * 1000;
}

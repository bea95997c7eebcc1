import { narrowScope } from "../core/scopes.js";
import type { RevocationRecord, SessionRecord } from "../core/token-store.js";
import { deriveSuccessorToken, generateOpaqueToken, hashToken, isWellFormedOpaqueToken, tokenHashesEqual } from "../core/tokens/opaque-token.js";
import { revocationExpiry, type TesseraContext } from "./tessera-context.js";
import type { ClientInfo, Result, TokenFailureCode, TokenPair } from "./types.js";

/** Options of {@link startSession}. */
export interface StartSessionOptions {
  /** The scope granted, space-separated; `""` grants none. */
  scope: string;
  client?: ClientInfo | undefined;
}

/** Starts a session for an authenticated user and hands out its first token pair. */
export async function startSession(context: TesseraContext, userId: string, options: StartSessionOptions): Promise<TokenPair> {
  const now = context.clock.now();
  const refreshToken = generateOpaqueToken("refreshToken");
  const session = await context.store.createSession({
    userId,
    scope: options.scope,
    userAgent: options.client?.userAgent ?? null,
    ip: options.client?.ip ?? null,
    now,
    refreshTokenHash: hashToken(refreshToken),
    refreshExpiresAt: now + context.refreshTokenTtlSeconds * 1000,
  });
  return pairFor(context, session, refreshToken);
}

/**
 * Exchanges a refresh token for a new pair. The token is spent; presenting it again after the
 * grace window revokes its whole session. Concurrent presentations inside the grace window all
 * receive the same successor (derived, not random), and the store's conditional update lets
 * exactly one of them extend the chain.
 */
export async function refreshSession(
  context: TesseraContext,
  refreshToken: string,
  options: { scope?: string | undefined } = {},
): Promise<Result<{ pair: TokenPair }, TokenFailureCode | "validation_failed">> {
  const { store, clock } = context;
  if (!isWellFormedOpaqueToken(refreshToken, "refreshToken")) return { ok: false, code: "token_malformed" };
  const tokenHash = hashToken(refreshToken);
  let record = await store.getRefreshToken(tokenHash);
  if (!record || !tokenHashesEqual(record.tokenHash, tokenHash)) return { ok: false, code: "token_invalid" };
  if (record.sessionRevoked) return { ok: false, code: "token_revoked" };
  const session = await store.getSession(record.sessionId);
  if (!session || session.revokedAt !== null) return { ok: false, code: "token_revoked" };
  // RFC 6749 6: a refresh may narrow the scope, never widen it. Checked before the token is
  // spent, so a bad request does not cost the client its refresh token.
  const scope = narrowedScope(session.scope, options.scope);
  if (scope === null) return { ok: false, code: "validation_failed", detail: "The requested scope exceeds the granted scope" };

  const now = clock.now();
  const successor = deriveSuccessorToken(context.derivationKey, refreshToken);
  if (record.spentAt === null) {
    if (record.expiresAt <= now) return { ok: false, code: "token_expired" };
    const rotated = await store.rotateRefreshToken({
      oldHash: tokenHash,
      newHash: hashToken(successor),
      now,
      newExpiresAt: now + context.refreshTokenTtlSeconds * 1000,
    });
    if (!rotated) {
      // Someone else spent it between our read and our write: judge it as a reuse below.
      record = await store.getRefreshToken(tokenHash);
      if (!record || record.sessionRevoked) return { ok: false, code: "token_revoked" };
    }
  }
  const graceMs = context.refreshReuseGraceSeconds * 1000;
  const outsideGrace = (spentAt: number) => graceMs === 0 || now - spentAt > graceMs;
  if (record.spentAt !== null && (outsideGrace(record.spentAt) || (await successorSpent(context, successor)))) {
    // Spent before the grace window, or inside it but the chain has already moved past the
    // successor: no valid pair can be handed out, and a second holder of the token is the
    // theft the rotation exists to catch.
    await revokeSessions(context, { sessionId: record.sessionId, userId: record.userId }, { reason: "reuse_detected" });
    context.audit.record({ type: "refresh.reuse_detected", userId: record.userId, sessionId: record.sessionId, subject: `session:${record.sessionId}`, reason: "reuse_detected" });
    return { ok: false, code: "token_revoked", detail: "The refresh token was already used; the session is revoked" };
  }
  await store.touchSession(session.id, now);
  context.audit.record({ type: "token.refreshed", userId: session.userId, sessionId: session.id, subject: `session:${session.id}` });
  return { ok: true, pair: pairFor(context, session, successor, scope) };
}

/** `requested` if it is within `granted` (or `granted` as it is when nothing is asked); null when it widens it. */
function narrowedScope(granted: string, requested: string | undefined): string | null {
  if (requested === undefined || requested.trim() === "") return granted;
  const narrowed = narrowScope(requested, granted);
  return narrowed.ok ? narrowed.scope : null;
}

/** Whether the successor of a spent refresh token has itself been spent (the chain moved on). */
async function successorSpent(context: TesseraContext, successor: string): Promise<boolean> {
  const next = await context.store.getRefreshToken(hashToken(successor));
  return next !== null && next.spentAt !== null;
}

function pairFor(context: TesseraContext, session: SessionRecord, refreshToken: string, scope: string = session.scope): TokenPair {
  const issued = context.keys.issue({ sub: session.userId, scope, sid: String(session.id), ttlSeconds: context.accessTokenTtlSeconds });
  return {
    accessToken: issued.token,
    tokenType: "Bearer",
    expiresInSeconds: context.accessTokenTtlSeconds,
    refreshToken,
    scope,
    sessionId: session.id,
  };
}

/**
 * Revokes one session or every session of a user (optionally all but one): their refresh
 * chains and every access token carrying their `sid`, plus any `alsoRevoke` entries (the
 * presented access token's `jti` at logout). The sessions and every entry are written in one
 * transaction: a failure leaves nothing changed, and the in-memory set and the other instances
 * learn of them only once committed. Returns the ids revoked. `userId` is the sessions' owner,
 * as the caller knows it; with `mustOwn` (a user revoking a session by id), a session of anyone
 * else is left alone.
 */
export async function revokeSessions(
  context: TesseraContext,
  selector: { sessionId: number; userId: string; mustOwn?: boolean } | { userId: string; exceptSessionId?: number },
  options: { alsoRevoke?: readonly RevocationRecord[]; reason?: string | null } = {},
): Promise<number[]> {
  await context.revocations.makeRoomFor(selector.userId);
  const revokedAt = context.clock.now();
  const expiresAt = revocationExpiry(context.clock);
  const storeSelector = "sessionId" in selector ? { sessionId: selector.sessionId, userId: selector.userId } : selector;
  let written: RevocationRecord[] = [];
  const ids = await context.store.revokeSessions(storeSelector, revokedAt, {
    entries: (revoked) => {
      // A session already revoked in the store still gets its entry: a retry after a failure
      // elsewhere must finish the job, and entries are idempotent. Not for a session the caller
      // had to own: its id alone proves nothing.
      const targets = "sessionId" in selector && selector.mustOwn !== true && revoked.length === 0 ? [selector.sessionId] : revoked;
      written = [
        ...targets.map((id): RevocationRecord => ({ kind: "sid", value: String(id), revokedAt, expiresAt, userId: selector.userId })),
        ...(options.alsoRevoke ?? []),
      ];
      return written;
    },
  });
  for (const id of ids) {
    context.audit.record({ type: "session.revoked", userId: selector.userId, sessionId: id, subject: `session:${id}`, reason: options.reason ?? null });
  }
  for (const record of written) await context.revocations.announce(record);
  return ids;
}

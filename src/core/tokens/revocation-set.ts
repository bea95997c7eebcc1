import type { RevocationRecord } from "../token-store.js";

/** What a verified token says about itself, as far as revocation is concerned. */
export interface RevocationSubject {
  jti?: string | undefined;
  sessionId?: string | undefined;
  userId: string;
  /** When the token was issued, epoch ms (`issuedAtMs` of a JWT, or an opaque token's creation time). */
  issuedAt: number;
  /** The stored token's id (personal access tokens and app tokens). */
  tokenId?: string | undefined;
}

/**
 * The live revocations, in memory, so that every verification checks revocation at memory
 * speed. Entries drop out at their `expiresAt`, when every token they cover has expired anyway.
 *
 * @example
 * const revoked = new RevocationSet();
 * revoked.add({ kind: "jti", value: claims.jti, revokedAt: now, expiresAt: claims.exp * 1000 });
 * revoked.isRevoked({ jti: claims.jti, userId: claims.sub, issuedAt: claims.iat * 1000 }, now); // true
 */
export class RevocationSet {
  private readonly byKind = {
    jti: new Map<string, RevocationRecord>(),
    sid: new Map<string, RevocationRecord>(),
    user: new Map<string, RevocationRecord>(),
    token: new Map<string, RevocationRecord>(),
  };

  /** Adds (or widens) an entry. Idempotent, so the same event may arrive twice. */
  add(record: RevocationRecord): void {
    const map = this.byKind[record.kind];
    const existing = map.get(record.value);
    if (!existing) {
      map.set(record.value, record);
      return;
    }
    map.set(record.value, {
      ...existing,
      // For `user`, a later cut-off revokes more tokens.
      revokedAt: Math.max(existing.revokedAt, record.revokedAt),
      expiresAt: Math.max(existing.expiresAt, record.expiresAt),
    });
  }

  isRevoked(subject: RevocationSubject, now: number): boolean {
    if (subject.jti !== undefined && this.live(this.byKind.jti.get(subject.jti), now)) return true;
    if (subject.sessionId !== undefined && this.live(this.byKind.sid.get(subject.sessionId), now)) return true;
    if (subject.tokenId !== undefined && this.live(this.byKind.token.get(subject.tokenId), now)) return true;
    const userCutoff = this.byKind.user.get(subject.userId);
    // A user entry revokes what was issued before its cut-off. Access tokens give their minting
    // millisecond (issuedAtMs); a token whose time is known only to the second counts from the
    // start of that second, so one minted in the cut-off's own second errs on the revoked side.
    return this.live(userCutoff, now) && subject.issuedAt < (userCutoff?.revokedAt ?? 0);
  }

  /** Drops entries whose tokens have all expired. */
  prune(now: number): void {
    for (const map of Object.values(this.byKind)) {
      for (const [value, record] of map) if (record.expiresAt <= now) map.delete(value);
    }
  }

  get size(): number {
    return Object.values(this.byKind).reduce((total, map) => total + map.size, 0);
  }

  private live(record: RevocationRecord | undefined, now: number): boolean {
    return record !== undefined && record.expiresAt > now;
  }
}

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
  /** The `jti`/`sid`/`token` entries of each user that said whose they are, by `kind:value`. */
  private readonly entriesOfUser = new Map<string, Map<string, RevocationRecord>>();

  /**
   * Adds (or widens) an entry. Idempotent, so the same event may arrive twice. A user-wide
   * cut-off replaces that user's entries it covers; an entry a live cut-off covers is not kept.
   */
  add(record: RevocationRecord): void {
    if (record.kind !== "user" && this.coveredByUserCutoff(record)) return;
    const map = this.byKind[record.kind];
    const existing = map.get(record.value);
    const merged: RevocationRecord = existing
      ? {
          ...existing,
          // For `user`, a later cut-off revokes more tokens.
          revokedAt: Math.max(existing.revokedAt, record.revokedAt),
          expiresAt: Math.max(existing.expiresAt, record.expiresAt),
          // The first word on whose entry it is stands (a feed message cannot relabel it).
          userId: existing.userId ?? record.userId,
        }
      : record;
    map.set(record.value, merged);
    if (record.kind === "user") {
      this.dropEntriesCoveredBy(merged);
    } else if (merged.userId !== undefined) {
      let entries = this.entriesOfUser.get(merged.userId);
      if (!entries) this.entriesOfUser.set(merged.userId, (entries = new Map()));
      entries.set(`${merged.kind}:${merged.value}`, merged);
    }
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

  /**
   * How many `jti`/`sid`/`token` entries name `userId`, and the latest expiry among them: what
   * a user-wide cut-off replacing them must cover.
   */
  entriesOf(userId: string): { count: number; latestExpiresAt: number } {
    let latestExpiresAt = 0;
    const entries = this.entriesOfUser.get(userId);
    for (const record of entries?.values() ?? []) latestExpiresAt = Math.max(latestExpiresAt, record.expiresAt);
    return { count: entries?.size ?? 0, latestExpiresAt };
  }

  /** Drops entries whose tokens have all expired. */
  prune(now: number): void {
    for (const map of Object.values(this.byKind)) {
      for (const [value, record] of map) if (record.expiresAt <= now) this.delete(record, value, map);
    }
  }

  get size(): number {
    return Object.values(this.byKind).reduce((total, map) => total + map.size, 0);
  }

  private live(record: RevocationRecord | undefined, now: number): boolean {
    return record !== undefined && record.expiresAt > now;
  }

  /**
   * A token an entry covers was issued before the entry's revokedAt, so a cut-off later than
   * that, lasting at least as long, refuses it too.
   */
  private coveredByUserCutoff(record: RevocationRecord): boolean {
    if (record.userId === undefined) return false;
    const cutoff = this.byKind.user.get(record.userId);
    return cutoff !== undefined && record.revokedAt < cutoff.revokedAt && record.expiresAt <= cutoff.expiresAt;
  }

  private dropEntriesCoveredBy(cutoff: RevocationRecord): void {
    const entries = this.entriesOfUser.get(cutoff.value);
    for (const record of entries?.values() ?? []) {
      if (record.revokedAt < cutoff.revokedAt && record.expiresAt <= cutoff.expiresAt) {
        this.delete(record, record.value, this.byKind[record.kind]);
      }
    }
  }

  private delete(record: RevocationRecord, value: string, map: Map<string, RevocationRecord>): void {
    map.delete(value);
    if (record.kind === "user" || record.userId === undefined) return;
    const entries = this.entriesOfUser.get(record.userId);
    entries?.delete(`${record.kind}:${value}`);
    if (entries?.size === 0) this.entriesOfUser.delete(record.userId);
  }
}

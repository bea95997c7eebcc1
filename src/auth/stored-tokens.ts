import { createHmac } from "node:crypto";
import type { RevocationRecord, StoredTokenRecord, TokenSelector } from "../core/token-store.js";
import {
  assembleOpaqueToken,
  generateOpaqueToken,
  hasValidChecksum,
  hashToken,
  OPAQUE_TOKEN_PREFIXES,
  tokenHashesEqual,
} from "../core/tokens/opaque-token.js";
import { revocationExpiry, type TesseraContext } from "./tessera-context.js";
import type { Principal, Result, TokenFailureCode } from "./types.js";

/** The kind under which personal access tokens are stored. */
export const PERSONAL_ACCESS_TOKEN_KIND = "pat";
/** An app token kind: short, lower-case, and not one Tessera uses itself. */
const APP_TOKEN_KIND = /^[a-z][a-z0-9]{0,15}$/;
const RESERVED_KINDS: ReadonlySet<string> = new Set(["pat", "rt", "cs", "access"]);
/** Seconds an accepted stored token is served from memory before the store is asked again. */
const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 10_000;

/** A freshly minted opaque token: the value, shown this once, and its stored record. */
export interface IssuedToken {
  token: string;
  record: StoredTokenRecord;
}

/** Options of {@link StoredTokens.issue}. */
export interface IssueTokenOptions {
  /** The app's name for this kind of token (`"api"`): `[a-z][a-z0-9]{0,15}`, not `pat`. */
  kind: string;
  /** Lifetime in seconds; null or absent for a token that never expires (capped by the facade's maximum). */
  ttlSeconds?: number | null;
  scope?: string;
  name?: string;
  /**
   * One live token per user and kind: when the user's newest live token of this kind still has
   * at least this many seconds left, it is returned again instead of a new one (as the
   * tutorials' `get_token()` did); otherwise the user's older tokens of the kind are revoked.
   */
  reuseIfValidFor?: number;
}

function prefixOf(kind: string): string {
  return kind === PERSONAL_ACCESS_TOKEN_KIND ? OPAQUE_TOKEN_PREFIXES.personalAccessToken : `tsr_${kind}_`;
}

/** The kind a token's prefix names (`pat` or an app kind), or null when it is not a stored token. */
export function storedTokenKind(token: string): string | null {
  if (token.startsWith(OPAQUE_TOKEN_PREFIXES.personalAccessToken)) return PERSONAL_ACCESS_TOKEN_KIND;
  const match = /^tsr_([a-z][a-z0-9]{0,15})_/.exec(token);
  const kind = match?.[1];
  return kind !== undefined && !RESERVED_KINDS.has(kind) ? kind : null;
}

/** Checks an app token kind at the call that names it (misuse throws). */
export function assertAppTokenKind(kind: string): void {
  if (!APP_TOKEN_KIND.test(kind) || RESERVED_KINDS.has(kind)) {
    throw new TypeError(`token kind must match ${String(APP_TOKEN_KIND)} and not be one of ${[...RESERVED_KINDS].join(", ")}`);
  }
}

/**
 * Opaque tokens kept by hash: personal access tokens and the app's own kinds. Verification
 * serves a recently accepted token from memory for a few seconds; revocation is still checked
 * on every call against the in-memory revocation set.
 */
export class StoredTokens {
  private readonly cache = new Map<string, { principal: Principal; cachedAt: number }>();

  constructor(private readonly context: TesseraContext) {}

  /** Mints a personal access token (random, shown once). */
  async createPersonalAccessToken(userId: string, options: { name: string; scope: string; expiresInSeconds?: number | null }): Promise<IssuedToken> {
    const token = generateOpaqueToken("personalAccessToken");
    const now = this.context.clock.now();
    const record = await this.context.store.createToken({
      kind: PERSONAL_ACCESS_TOKEN_KIND,
      userId,
      name: options.name,
      scope: options.scope,
      tokenHash: hashToken(token),
      now,
      expiresAt: this.expiresAt(now, options.expiresInSeconds ?? null),
    });
    return { token, record };
  }

  /**
   * Mints (or, with `reuseIfValidFor`, hands back) an app token. App tokens are derived from the
   * store's derivation key and their row (kind, user, creation time, scope, name), so a live one
   * can be handed back although only its hash is stored.
   */
  async issue(userId: string, options: IssueTokenOptions): Promise<IssuedToken> {
    assertAppTokenKind(options.kind);
    const { store, clock } = this.context;
    const now = clock.now();
    if (options.reuseIfValidFor !== undefined) {
      const live = await store.listTokens(userId, options.kind);
      const newest = live.find((record) => record.expiresAt === null || record.expiresAt - now >= options.reuseIfValidFor! * 1000);
      if (newest !== undefined) return { token: this.deriveAppToken(newest), record: newest };
      for (const record of live) await this.revokeRecord(record);
    }
    for (let createdAt = now; ; createdAt++) {
      const draft = {
        kind: options.kind,
        userId,
        name: options.name ?? "",
        scope: options.scope ?? "",
        now: createdAt,
        expiresAt: this.expiresAt(createdAt, options.ttlSeconds ?? null),
      };
      const token = this.deriveAppToken({ ...draft, createdAt });
      try {
        return { token, record: await store.createToken({ ...draft, tokenHash: hashToken(token) }) };
      } catch (error) {
        // The same user, kind, scope and name in the same millisecond derive the same token: the
        // other request's row is this one, unless it was revoked since (a logout, a replaced
        // token): then the next millisecond derives a fresh one.
        const existing = await store.findTokenByHash(hashToken(token));
        if (existing === null) throw error;
        if (existing.revokedAt === null) return { token, record: existing };
      }
    }
  }

  private deriveAppToken(row: Pick<StoredTokenRecord, "kind" | "userId" | "createdAt" | "scope" | "name">): string {
    const input = ["tessera app token v1", row.kind, row.userId, String(row.createdAt), row.scope, row.name].join("\0");
    return assembleOpaqueToken(prefixOf(row.kind), createHmac("sha256", this.context.derivationKey).update(input).digest());
  }

  private expiresAt(now: number, ttlSeconds: number | null): number | null {
    if (ttlSeconds === null) return null;
    return now + Math.min(ttlSeconds, this.context.maxOpaqueTokenTtlSeconds) * 1000;
  }

  /** Verifies a stored token of any kind (PAT or app kind). `kinds` limits what is accepted. */
  async verify(token: string, kinds?: readonly string[], touch = true): Promise<Result<{ principal: Principal }, TokenFailureCode>> {
    const kind = storedTokenKind(token);
    if (kind === null || (kinds !== undefined && !kinds.includes(kind))) return { ok: false, code: "token_invalid" };
    const now = this.context.clock.now();
    const tokenHash = hashToken(token);
    let cached = this.cache.get(tokenHash);
    if (!cached || now - cached.cachedAt > TOKEN_CACHE_MS) {
      // The checksum spares the store a look-up for a mistyped or foreign token; a token whose
      // hash is cached matched a stored hash moments ago, so it is checked only on a miss.
      if (!hasValidChecksum(token, prefixOf(kind))) return { ok: false, code: "token_malformed" };
      const record = await this.context.store.findTokenByHash(tokenHash);
      if (!record || record.kind !== kind || !tokenHashesEqual(record.tokenHash, tokenHash)) return { ok: false, code: "token_invalid" };
      if (record.revokedAt !== null) return { ok: false, code: "token_revoked" };
      cached = { principal: principalOf(record), cachedAt: now };
      if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
      this.cache.set(tokenHash, cached);
    }
    const principal = cached.principal;
    if (principal.expiresAt !== null && principal.expiresAt <= now) return { ok: false, code: "token_expired" };
    const tokenId = principal.tokenId ?? 0;
    if (this.context.revocations.isRevoked({ userId: principal.userId, issuedAt: principal.issuedAt, tokenId: String(tokenId) })) {
      return { ok: false, code: "token_revoked" };
    }
    if (touch) this.context.touches.touch(`t${tokenId}`, (stamp) => this.context.store.touchToken(tokenId, stamp));
    return { ok: true, principal };
  }

  /** The user's live tokens of a kind, newest first. */
  list(userId: string, kind: string): Promise<StoredTokenRecord[]> {
    return this.context.store.listTokens(userId, kind);
  }

  /** Revokes the user's live token `id` (of `kind`, when given); returns it, or null when there was none to revoke. */
  async revoke(userId: string, id: number, kind?: string): Promise<StoredTokenRecord | null> {
    if (kind !== undefined) {
      // One row, not the user's whole list: is it theirs, of this kind, and still live?
      const found = await this.context.store.getTokenById(id);
      if (found === null || found.userId !== userId || found.kind !== kind || found.revokedAt !== null) return null;
    }
    const [record] = await this.revokeWithEntries({ id, userId });
    return record ?? null;
  }

  /** Revokes every live token of the user (of one kind, or all); returns how many. */
  async revokeAllOf(userId: string, kind?: string): Promise<number> {
    return (await this.revokeWithEntries(kind === undefined ? { userId } : { userId, kind })).length;
  }

  /** Revokes a token by its value, if it is one of ours; true when something was revoked. */
  async revokeByValue(token: string): Promise<boolean> {
    const kind = storedTokenKind(token);
    if (kind === null || !hasValidChecksum(token, prefixOf(kind))) return false;
    const record = await this.context.store.findTokenByHash(hashToken(token));
    if (record === null || record.revokedAt !== null) return false;
    await this.revokeRecord(record);
    return true;
  }

  private async revokeRecord(record: StoredTokenRecord): Promise<void> {
    await this.revokeWithEntries({ id: record.id }, record.userId);
  }

  /**
   * Revokes the rows and writes their revocation entries in one transaction (a failure changes
   * nothing), then drops them from this instance's cache and tells the other instances. `userId`
   * is the tokens' owner when the caller knows it (to keep the user's entries bounded).
   */
  private async revokeWithEntries(selector: TokenSelector, userId?: string): Promise<StoredTokenRecord[]> {
    const { clock } = this.context;
    const owner = userId ?? ("userId" in selector ? selector.userId : undefined);
    if (owner !== undefined) await this.context.revocations.makeRoomFor(owner);
    const now = clock.now();
    let written: RevocationRecord[] = [];
    const records = await this.context.store.revokeTokens(selector, now, {
      entries: (revoked) => {
        // An entry only has to outlive other instances' caches of the token (TOKEN_CACHE_MS):
        // after that they read the revoked row. Bounding it like the other entries keeps a
        // year-long PAT's revocation from sitting in every instance's memory for a year.
        written = revoked.map((record) => ({
          kind: "token",
          value: String(record.id),
          revokedAt: now,
          expiresAt: Math.min(revocationExpiry(clock), record.expiresAt === null ? Number.POSITIVE_INFINITY : Math.max(record.expiresAt, now) + 60_000),
          userId: record.userId,
        }));
        return written;
      },
    });
    for (const record of records) {
      this.cache.delete(record.tokenHash);
      this.context.audit.record({ type: record.kind === PERSONAL_ACCESS_TOKEN_KIND ? "pat.revoked" : "token.revoked", userId: record.userId, subject: `token:${record.id}` });
    }
    for (const entry of written) await this.context.revocations.announce(entry);
    return records;
  }
}

function principalOf(record: StoredTokenRecord): Principal {
  const pat = record.kind === PERSONAL_ACCESS_TOKEN_KIND;
  return {
    userId: record.userId,
    tokenType: pat ? "personal_access_token" : "app_token",
    tokenKind: record.kind,
    scopes: record.scope === "" ? [] : record.scope.split(" "),
    sessionId: null,
    tokenId: record.id,
    jti: null,
    issuedAt: record.createdAt,
    expiresAt: record.expiresAt,
  };
}

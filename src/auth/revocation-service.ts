import type { Clock } from "../core/clock.js";
import type { RevocationFeed } from "../core/revocation-feed.js";
import type { RevocationQuery, RevocationRecord, TokenStore } from "../core/token-store.js";
import { revocationExpiry } from "./tessera-context.js";

export type { RevocationFeed };
import { RevocationSet, type RevocationSubject } from "../core/tokens/revocation-set.js";

export interface RevocationServiceOptions {
  store: TokenStore;
  clock: Clock;
  feed?: RevocationFeed | undefined;
  /**
   * How often to read new revocations from the store, in ms (0 = never). Needed when several
   * instances share a store: it is the fallback when the feed is down, and bounds staleness.
   */
  pollIntervalMs?: number | undefined;
  /**
   * Live `jti`/`sid`/`token` entries one user may have in memory. Revoking past it replaces
   * them with one user-wide cut-off (and revokes the user's stored tokens with it), so no
   * account can grow every instance's memory without bound. Default 1,000.
   */
  maxEntriesPerUser?: number | undefined;
}

/** Default of {@link RevocationServiceOptions.maxEntriesPerUser}. */
export const DEFAULT_MAX_REVOCATIONS_PER_USER = 1_000;

/** How far back each incremental poll reads, for writers whose clocks run behind ours. */
const SYNC_MARGIN_MS = 60_000;
/** How often the poll re-reads every live revocation, whatever its timestamp. */
const FULL_SYNC_EVERY_MS = 30_000;
/**
 * Entries read per store call. A sync reads a page, applies it and lets other work run before
 * the next one: the live entries of a busy day (tens of thousands) are never held at once, and
 * a synchronous SQLite read never blocks the event loop for long.
 */
const SYNC_PAGE_SIZE = 1_000;
/** Pages one sync reads at most (a store that ignored `after` would otherwise loop forever). */
const SYNC_MAX_PAGES = 10_000;

/**
 * Keeps the in-memory revocation set in step with the store (durable, shared) and the feed
 * (fast, shared). Every revocation is written to the store first, so a restart or a feed
 * outage never resurrects a revoked token.
 */
export class RevocationService {
  private readonly set = new RevocationSet();
  private lastSyncAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private lastFullSyncAt = 0;

  constructor(private readonly options: RevocationServiceOptions) {}

  async start(): Promise<void> {
    await this.syncFromStore();
    if (this.options.feed) await this.options.feed.subscribe((record) => this.set.add(record));
    const interval = this.options.pollIntervalMs ?? 0;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.syncFromStore().catch(() => {
          // A store outage is reported by readiness checks; the next tick retries.
        });
      }, interval);
      this.timer.unref();
    }
  }

  /** Persists, applies locally, then tells the other instances. */
  async revoke(record: RevocationRecord): Promise<void> {
    if (record.kind !== "user" && record.userId !== undefined) await this.makeRoomFor(record.userId);
    await this.options.store.addRevocation(record);
    this.set.add(record);
    const feed = this.options.feed;
    if (feed?.isHealthy()) {
      await feed.publish(record).catch(() => {
        // The store already has it; other instances pick it up on their next poll.
      });
    }
  }

  /**
   * Applies locally, then tells the other instances, entries the caller has already committed
   * to the store (in the same transaction as the rows they revoke).
   */
  async announce(record: RevocationRecord): Promise<void> {
    this.set.add(record);
    const feed = this.options.feed;
    if (feed?.isHealthy()) await feed.publish(record).catch(() => undefined);
  }

  /**
   * Called before revoking more of `userId`'s tokens: when the user already has the maximum of
   * live entries, replaces them with one user-wide cut-off (every access token issued to the
   * user so far is refused), written in one transaction with the revocation of the user's
   * stored tokens (which would otherwise outlive the cut-off). Sessions survive: a refresh
   * issues access tokens after the cut-off. The entries about to be written are then covered
   * by the cut-off and take no memory.
   */
  async makeRoomFor(userId: string): Promise<void> {
    const { count, latestExpiresAt } = this.set.entriesOf(userId);
    if (count < (this.options.maxEntriesPerUser ?? DEFAULT_MAX_REVOCATIONS_PER_USER)) return;
    const { store, clock } = this.options;
    const now = clock.now();
    // +1: a token minted in this very millisecond is covered too (the cut-off is exclusive). It
    // lasts as long as any access token issued before it, and as the entries it replaces.
    const cutoff: RevocationRecord = { kind: "user", value: userId, revokedAt: now + 1, expiresAt: Math.max(latestExpiresAt, revocationExpiry(clock)) };
    await store.revokeTokens({ userId }, now, { entries: () => [cutoff] });
    await this.announce(cutoff);
  }

  isRevoked(subject: RevocationSubject): boolean {
    return this.set.isRevoked(subject, this.options.clock.now());
  }

  /** Reads revocations added since the last sync (with a margin for clock skew between writers). */
  syncFromStore(): Promise<void> {
    if (this.syncing) return this.syncing;
    this.syncing = (async () => {
      const now = this.options.clock.now();
      // `revokedAt` is stamped by the writer's clock before its commit, so read back a margin
      // (clock skew between hosts, slow commits), and re-read everything live now and then.
      const full = this.lastSyncAt === 0 || now - this.lastFullSyncAt >= FULL_SYNC_EVERY_MS;
      const since = full ? undefined : this.lastSyncAt - SYNC_MARGIN_MS;
      if (full) this.lastFullSyncAt = now;
      let after: RevocationQuery["after"];
      for (let page = 0; page < SYNC_MAX_PAGES; page++) {
        const records = await this.options.store.listRevocations({ now, since, after, limit: SYNC_PAGE_SIZE });
        for (const record of records) this.set.add(record);
        const last = records.at(-1);
        // A short page is the last; so is a page a store returned whole, ignoring the limit.
        if (last === undefined || records.length !== SYNC_PAGE_SIZE) break;
        // A store that ignores `after` returns the same page again: rather than loop (or miss what
        // lies past that page), read the rest unpaged, once. (Only equality is tested: the
        // database's collation, not JavaScript's, orders the values.)
        if (after !== undefined && last.revokedAt === after.revokedAt && last.kind === after.kind && last.value === after.value) {
          for (const record of await this.options.store.listRevocations({ now, since })) this.set.add(record);
          break;
        }
        after = { revokedAt: last.revokedAt, kind: last.kind, value: last.value };
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.set.prune(now);
      this.lastSyncAt = now;
    })().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  get size(): number {
    return this.set.size;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.options.feed?.close();
  }
}

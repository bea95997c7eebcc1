// Reliability (issue 12, soak): every instance re-read every live revocation entry in one query
// every 30 s. With a day of logouts in the table (tens of thousands of entries live for 24 h)
// that held them all in memory at once and, on SQLite, blocked the event loop for the whole
// read (100,000 entries: 35 MiB and about 0.8 s on the soak machine), so memory grew in bursts
// over a long run. Syncs now read a page of entries at a time.
import * as assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTessera } from "../../src/index.js";
import type { RevocationQuery, TokenStore } from "../../src/core/token-store.js";
import { openTokenStore, type SqlTokenStore } from "../../src/stores/index.js";

const ENTRIES = 2_500;
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const clock = { now: () => NOW };

/**
 * The store, with every listRevocations call's size recorded; `ignore` drops paging options, as
 * a store of one's own might.
 */
function observed(store: SqlTokenStore, options: { ignore: "nothing" | "limit and after" | "after" }): { store: TokenStore; pageSizes: number[] } {
  const pageSizes: number[] = [];
  const listRevocations = async (query: RevocationQuery) => {
    const kept = options.ignore === "nothing" ? query : options.ignore === "after" ? { now: query.now, since: query.since, limit: query.limit } : { now: query.now, since: query.since };
    const rows = await store.listRevocations(kept);
    pageSizes.push(rows.length);
    return rows;
  };
  return { store: Object.assign(Object.create(store) as TokenStore, { listRevocations }), pageSizes };
}

void describe("revocation syncs read the store a page at a time", () => {
  let store: SqlTokenStore;
  before(async () => {
    store = await openTokenStore("sqlite::memory:");
    await store.migrate();
    for (let i = 0; i < ENTRIES; i++) {
      // Many share a revokedAt, so pages break inside runs of equal times.
      await store.addRevocation({ kind: i % 2 === 0 ? "jti" : "sid", value: `v${i}`, revokedAt: NOW - 60_000 + Math.floor(i / 7), expiresAt: NOW + 3_600_000 });
    }
  });
  after(() => store.close());

  const open = (tokens: TokenStore) =>
    createTessera({ store: tokens, issuer: "https://api.test", audience: "api", clock, revocationPollIntervalMs: 0, keyReloadIntervalMs: 0, users: { findForLogin: () => null } });

  void it("loads every live entry, never more than a page per read", async () => {
    const { store: tokens, pageSizes } = observed(store, { ignore: "nothing" });
    const tessera = await open(tokens);
    try {
      assert.equal(tessera.stats().revocationEntries, ENTRIES);
      assert.ok(Math.max(...pageSizes) <= 1_000, `reads of ${pageSizes.join(", ")} entries`);
      assert.equal(pageSizes.reduce((sum, size) => sum + size, 0), ENTRIES, "each entry read once");
    } finally {
      await tessera.close();
    }
  });

  void it("a store of one's own that ignores limit and after is read whole, once, without looping", async () => {
    const { store: tokens, pageSizes } = observed(store, { ignore: "limit and after" });
    const tessera = await open(tokens);
    try {
      assert.equal(tessera.stats().revocationEntries, ENTRIES);
      assert.deepEqual(pageSizes, [ENTRIES]);
    } finally {
      await tessera.close();
    }
  });

  void it("a store of one's own that honours limit but ignores after still gives every entry, without looping", async () => {
    const { store: tokens, pageSizes } = observed(store, { ignore: "after" });
    const tessera = await open(tokens);
    try {
      assert.equal(tessera.stats().revocationEntries, ENTRIES);
      assert.deepEqual(pageSizes, [1_000, 1_000, ENTRIES], "the repeated page gives it away; the rest is read unpaged, once");
    } finally {
      await tessera.close();
    }
  });
});

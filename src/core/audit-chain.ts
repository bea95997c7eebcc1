import { createHash, timingSafeEqual } from "node:crypto";
import type { AuditEventRecord, NewAuditEvent } from "./token-store.js";

/**
 * The hash of one audit event in the tamper-evident chain: SHA-256 (hex) over the previous
 * event's hash and every field of this one, as a JSON array in a fixed order. Changing,
 * removing or reordering a row breaks the link to the next one.
 *
 * @example
 * const hash = hashAuditEvent(previous?.hash ?? null, event);
 */
export function hashAuditEvent(prevHash: string | null, event: NewAuditEvent): string {
  const fields = [
    prevHash,
    event.at,
    event.type,
    event.actorType,
    event.actorId,
    event.userId,
    event.clientId,
    event.sessionId,
    event.subject,
    event.reason,
    event.ip,
    event.userAgent,
    event.requestId,
    event.via,
    event.count,
  ];
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/** Where a chain walk stands: the last chained hash seen, and how many rows were checked. */
export interface AuditChainState {
  lastHash: string | null;
  checked: number;
}

/** The first row that does not chain, and why. */
export interface BrokenAuditLink {
  id: number;
  reason: "hash_mismatch" | "prev_hash_mismatch";
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/**
 * Checks audit rows in ascending id order against the chain, continuing from `state` (pass
 * `{ lastHash: null, checked: 0 }` first). Rows written without the chain (`hash` null) are
 * skipped. The first chained row is trusted as the start (retention deletes the older ones).
 * Returns the first broken link, or null when every row chains.
 *
 * @example
 * const state = { lastHash: null, checked: 0 };
 * const broken = checkAuditChain(page, state);
 */
export function checkAuditChain(rows: readonly AuditEventRecord[], state: AuditChainState): BrokenAuditLink | null {
  for (const row of rows) {
    if (row.hash === null) continue;
    if (state.checked > 0 && (row.prevHash === null || state.lastHash === null || !sameHex(row.prevHash, state.lastHash))) {
      return { id: row.id, reason: "prev_hash_mismatch" };
    }
    if (!sameHex(hashAuditEvent(row.prevHash, row), row.hash)) return { id: row.id, reason: "hash_mismatch" };
    state.lastHash = row.hash;
    state.checked += 1;
  }
  return null;
}

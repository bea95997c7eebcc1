import type { RevocationRecord } from "./token-store.js";

/**
 * How revocations reach other instances quickly (Redis pub/sub in the scaled-out shape).
 * Optional: without it, instances rely on the store poll.
 */
export interface RevocationFeed {
  publish(record: RevocationRecord): Promise<void>;
  /** Registers the handler for records published by any instance (this one included). */
  subscribe(onRecord: (record: RevocationRecord) => void): Promise<void>;
  /** False while the feed is down; the store poll then carries revocations alone. */
  isHealthy(): boolean;
  close(): Promise<void>;
}

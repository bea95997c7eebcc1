import type { Clock } from "../core/clock.js";

/** Last-used stamps are written at most this often per session, token or user. */
const TOUCH_EVERY_MS = 60_000;
/** Bound on the keys remembered; past it the memory is dropped (worst case: one extra write each). */
const MAX_KEYS = 50_000;

/**
 * Writes "last used" stamps at most once a minute per key, off the request path: a busy token
 * costs one write a minute, not one per request.
 *
 * @example
 * const touches = new TouchStamps(systemClock);
 * touches.touch(`s${sessionId}`, (now) => store.touchSession(sessionId, now));
 */
export class TouchStamps {
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  touch(key: string, write: (now: number) => Promise<void>): void {
    const now = this.clock.now();
    const last = this.lastTouched.get(key);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    if (this.lastTouched.size >= MAX_KEYS) this.lastTouched.clear();
    this.lastTouched.set(key, now);
    write(now).catch(() => {
      // A missed last-used stamp is harmless; readiness checks report store outages.
    });
  }
}

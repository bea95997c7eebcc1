/**
 * Where "now" comes from. Injected wherever behaviour depends on time so tests can
 * move time without global mocks.
 *
 * @example
 * const clock: Clock = { now: () => Date.now() };
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Seconds since the epoch, as JWT `iat`/`exp` use. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}

/** The prefix used when `TESSERA_REDIS_KEY_PREFIX` is unset. */
export const DEFAULT_REDIS_KEY_PREFIX = "tessera:";

const KEY_PREFIX = /^[A-Za-z0-9_.:{}-]{1,64}$/;

/**
 * Checks a Redis key prefix: 1-64 characters of letters, digits and `_ . : - { }`. Every key
 * and channel Tessera uses starts with it, so several deployments (or test runs) can share
 * one Redis, and `SCAN MATCH prefix*` finds exactly one deployment's keys. Returns null for
 * a bad prefix so the caller can name its own variable in the error.
 *
 * @example
 * checkRedisKeyPrefix("tessera:"); // "tessera:"
 * checkRedisKeyPrefix("has space"); // null
 */
export function checkRedisKeyPrefix(prefix: string): string | null {
  // `*`, `?` and `[` would turn a cleanup SCAN pattern into a wildcard over other keys.
  return KEY_PREFIX.test(prefix) ? prefix : null;
}

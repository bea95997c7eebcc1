/**
 * An integer column value as a number. The connections Tessera opens already return numbers; a
 * pg pool the app configured returns BIGINT as a string, and a driver set to safe integers
 * returns a bigint. Every value the store writes fits in 2^53, so anything else is refused
 * rather than rounded.
 */
export function readInteger(value: number | string | bigint): number {
  const parsed = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError("an integer column holds a value outside the safe integer range");
  return parsed;
}

/** {@link readInteger}, keeping null. */
export function readNullableInteger(value: number | string | bigint | null): number | null {
  return value === null ? null : readInteger(value);
}

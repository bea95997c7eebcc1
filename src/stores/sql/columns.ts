// Booleans are stored as integers 0/1 on every database so the schema is identical;
// these two functions are the only place that knows it.

/** A boolean as the integer column stores it. */
export function toDbBoolean(value: boolean): number {
  return value ? 1 : 0;
}

/** An integer (or, defensively, boolean) column value as a boolean. */
export function fromDbBoolean(value: number | boolean): boolean {
  return value === true || value === 1;
}

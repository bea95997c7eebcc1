/**
 * Whether an error means the schema is not there yet (a read-only command on a database
 * nobody migrated), so the command can point at `tessera migrate` instead of showing SQL.
 *
 * @example
 * if (isMissingSchemaError(error)) return fail(io, "the database has no Tessera schema; run `tessera migrate`");
 */
export function isMissingSchemaError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // 42P01 is PostgreSQL's undefined_table; SQLite reports a generic error with this text.
  if (code === "42P01") return true;
  return code === "SQLITE_ERROR" && typeof message === "string" && message.includes("no such table");
}

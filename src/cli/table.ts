/**
 * Formats an epoch-ms time as RFC 3339 UTC to the second (as the HTTP API does), or `-`.
 *
 * @example
 * formatTime(0); // "1970-01-01T00:00:00Z"
 */
export function formatTime(epochMs: number | null): string {
  return epochMs === null ? "-" : new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The same time for `--json` output: an RFC 3339 string, or null.
 *
 * @example
 * jsonTime(null); // null
 */
export function jsonTime(epochMs: number | null): string | null {
  return epochMs === null ? null : formatTime(epochMs);
}

/**
 * Lays rows out in left-aligned columns under upper-case headers, two spaces apart.
 *
 * @example
 * formatTable(["id", "username"], [["1", "ada"]]);
 * // "ID  USERNAME\n1   ada\n"
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((header) => header.toUpperCase()), ...rows];
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

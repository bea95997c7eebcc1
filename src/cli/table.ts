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
 * Makes user-controlled text (a PAT name, a user agent, a username) safe to print on a terminal:
 * C0 and C1 control characters (ESC sequences, carriage returns, bells), DEL and the Unicode line
 * and paragraph separators become `\xNN`/`\uNNNN` escapes, so a stored value cannot rewrite the
 * operator's screen or forge output lines. JSON output is escaped by JSON itself.
 *
 * @example
 * printable("ci\u001b[2J"); // "ci\\x1b[2J"
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Lays rows out in left-aligned columns under upper-case headers, two spaces apart.
 *
 * @example
 * formatTable(["id", "username"], [["1", "ada"]]);
 * // "ID  USERNAME\n1   ada\n"
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((header) => header.toUpperCase()), ...rows.map((row) => row.map(printable))];
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

// Shared by GET /api/admin/events and `tessera audit` (which must not load Fastify).

/**
 * Parses `1h`, `30m`, `7d` (ago) or an RFC 3339 time into epoch ms; null when it is neither.
 *
 * @example
 * parseSince("1h", Date.now()); // an hour ago
 */
export function parseSince(value: string, now: number): number | null {
  const relative = /^(\d{1,9})(s|m|h|d)$/.exec(value);
  if (relative !== null) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
    return now - Number(relative[1]) * unit;
  }
  if (!/^\d{4}-\d\d-\d\dT/.test(value)) return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

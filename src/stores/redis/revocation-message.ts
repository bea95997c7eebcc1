import type { RevocationKind, RevocationRecord } from "../../core/token-store.js";

const KINDS: ReadonlySet<string> = new Set<RevocationKind>(["jti", "sid", "user", "token"]);
const MAX_VALUE_LENGTH = 256;
const MAX_MESSAGE_LENGTH = 1024;

/**
 * Encodes a revocation for the pub/sub channel.
 *
 * @example
 * formatRevocationMessage({ kind: "sid", value: "42", revokedAt: 1700000000000, expiresAt: 1700001020000 });
 * // '{"kind":"sid","value":"42","revokedAt":1700000000000,"expiresAt":1700001020000}'
 */
export function formatRevocationMessage(record: RevocationRecord): string {
  const { kind, value, revokedAt, expiresAt, userId } = record;
  return JSON.stringify(userId === undefined || kind === "user" ? { kind, value, revokedAt, expiresAt } : { kind, value, revokedAt, expiresAt, userId });
}

function isEpochMs(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Decodes and checks a message from the channel; null for anything that is not exactly a
 * revocation record. Whoever can publish on the channel can revoke tokens (never grant them),
 * so a malformed message is dropped rather than trusted in part.
 *
 * @example
 * parseRevocationMessage('{"kind":"jti","value":"abc","revokedAt":1,"expiresAt":2}'); // { kind: "jti", ... }
 * parseRevocationMessage("not json"); // null
 */
export function parseRevocationMessage(message: string): RevocationRecord | null {
  if (message.length > MAX_MESSAGE_LENGTH) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const { kind, value, revokedAt, expiresAt, userId } = parsed as Record<string, unknown>;
  if (typeof kind !== "string" || !KINDS.has(kind)) return null;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_VALUE_LENGTH) return null;
  if (!isEpochMs(revokedAt) || !isEpochMs(expiresAt)) return null;
  if (userId !== undefined && (typeof userId !== "string" || userId.length === 0 || userId.length > MAX_VALUE_LENGTH)) return null;
  return { kind: kind as RevocationKind, value, revokedAt, expiresAt, ...(userId === undefined || kind === "user" ? {} : { userId }) };
}

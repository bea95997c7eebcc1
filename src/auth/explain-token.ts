import { decodeCanonicalBase64url } from "../core/jwt/base64url.js";
import type { AuditEventRecord, SessionRecord, StoredTokenRecord } from "../core/token-store.js";
import { hasValidChecksum, hashToken, OPAQUE_TOKEN_PREFIXES, tokenHashesEqual } from "../core/tokens/opaque-token.js";
import { verifyAccessToken } from "./access-tokens.js";
import { clientRevocationSubject, secretRevocationSubject } from "./machine-clients.js";
import { PERSONAL_ACCESS_TOKEN_KIND, storedTokenKind } from "./stored-tokens.js";
import type { TesseraContext } from "./tessera-context.js";
import type { TokenFailureCode } from "./types.js";

/** What a token string is, as far as Tessera can tell. */
export type ExplainedTokenKind =
  | "access_token"
  | "client_token"
  | "personal_access_token"
  | "app_token"
  | "refresh_token"
  | "client_secret"
  | "unknown";

/** How a token was revoked, from the revocation entry and the audit log. */
export interface TokenRevocation {
  /** epoch ms; null when the audit log has no record of it (retention, or revoked before the log). */
  at: number | null;
  /** In words: `revoked at 2026-12-04T14:02:11Z by DELETE /api/tokens from 203.0.113.7 (user 5)`. */
  how: string;
  event: AuditEventRecord | null;
}

/**
 * Everything Tessera can say about a token string: what it is, whose, and why it is or is not
 * accepted. For operators and the token's owner; never for a 401 (a client gets only its code).
 */
export interface TokenExplanation {
  accepted: boolean;
  /** The code a client presenting it gets; null when accepted. */
  code: TokenFailureCode | null;
  kind: ExplainedTokenKind;
  /** The verdict first, then one sentence per finding. Never the token itself. */
  explanation: string[];
  userId: string | null;
  clientId: string | null;
  sessionId: number | null;
  tokenId: number | null;
  jti: string | null;
  scopes: string[];
  /** epoch ms. */
  issuedAt: number | null;
  expiresAt: number | null;
  /** JWTs: the key named by `kid`; `known` false when no key of the ring has it. */
  signingKey: { kid: string; alg: string | null; known: boolean; retired: boolean } | null;
  /** JWTs: `iss` and `aud` as found, beside what this server expects. */
  issuer: { expected: string; actual: string | null } | null;
  audience: { expected: string; actual: string | string[] | null } | null;
  revocation: TokenRevocation | null;
}

/** What the explainer needs besides the facade's context. */
export interface ExplainHost {
  context: TesseraContext;
  issuer: string;
  audience: string;
}

/** `32 s`, `14 min`, `5 h`, `3 days`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 120 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function expiryWords(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return "It never expires.";
  return expiresAt <= now ? `It expired ${formatDuration(now - expiresAt)} ago (${iso(expiresAt)}).` : `It expires in ${formatDuration(expiresAt - now)} (${iso(expiresAt)}).`;
}

function blank(kind: ExplainedTokenKind, code: TokenFailureCode | null, explanation: string[]): TokenExplanation {
  return {
    accepted: code === null,
    code,
    kind,
    explanation,
    userId: null,
    clientId: null,
    sessionId: null,
    tokenId: null,
    jti: null,
    scopes: [],
    issuedAt: null,
    expiresAt: null,
    signingKey: null,
    issuer: null,
    audience: null,
    revocation: null,
  };
}

const REVOKING_EVENTS: ReadonlySet<string> = new Set([
  "session.revoked",
  "logout",
  "pat.revoked",
  "token.revoked",
  "access_token.revoked",
  "user.tokens_revoked",
  "user.deleted",
  "client.revoked",
  "client.secret_revoked",
  "refresh.reuse_detected",
]);

/** The newest audit event that revoked `subject`, in words. */
async function revocationOf(context: TesseraContext, subject: string, fallbackAt: number | null): Promise<TokenRevocation> {
  const events = await context.store.listAuditEvents({ subject, limit: 20 }).catch(() => []);
  const event = events.find((candidate) => REVOKING_EVENTS.has(candidate.type)) ?? null;
  if (event === null) {
    return { at: fallbackAt, how: fallbackAt === null ? `revoked (${subject}); the audit log has no record of how` : `revoked at ${iso(fallbackAt)}; the audit log has no record of how`, event: null };
  }
  const actor = event.actorType === "anonymous" ? "" : ` (${event.actorType}${event.actorId === null ? "" : ` ${event.actorId}`})`;
  const reason = event.reason === null ? "" : `, ${event.reason}`;
  const how = `revoked at ${iso(event.at)} by ${event.via ?? event.type}${event.ip === null ? "" : ` from ${event.ip}`}${actor}${reason}`;
  return { at: event.at, how, event };
}

/** Decodes a JWT's header and payload without trusting them (the verdict comes from verification). */
function peekJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const decode = (segment: string): Record<string, unknown> | null => {
    const bytes = decodeCanonicalBase64url(segment);
    if (bytes === null) return null;
    try {
      const value: unknown = JSON.parse(bytes.toString("utf8"));
      return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const header = decode(parts[0] ?? "");
  const claims = decode(parts[1] ?? "");
  return header === null || claims === null ? null : { header, claims };
}

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/**
 * Says what a token string is and why it is or is not accepted: kind, user or client, session,
 * scopes, issued and expiry times, signing key (and whether it is retired), issuer and audience
 * against the expected ones, and, from the audit log, who revoked it, when and how. Reads only:
 * no last-used stamp, no audit event, nothing revoked.
 *
 * @example
 * const explained = await explainToken(host, token);
 * console.log(explained.explanation.join("\n"));
 */
export async function explainToken(host: ExplainHost, token: string): Promise<TokenExplanation> {
  const { context } = host;
  const trimmed = token.trim();
  if (trimmed.length === 0 || trimmed.length > 8192) return blank("unknown", "token_malformed", ["Not a token: empty, or longer than any token Tessera issues."]);
  if (trimmed.startsWith(OPAQUE_TOKEN_PREFIXES.clientSecret)) {
    return blank("client_secret", "token_invalid", [
      "Refused: this is a machine client's secret, not a token.",
      "Exchange it at POST /oauth/token (grant_type=client_credentials) and send the access token instead; never send the secret as a bearer token.",
    ]);
  }
  if (trimmed.startsWith(OPAQUE_TOKEN_PREFIXES.refreshToken)) return explainRefreshToken(context, trimmed);
  if (storedTokenKind(trimmed) !== null) return explainStoredToken(context, trimmed);
  if (trimmed.startsWith("tsr_")) return blank("unknown", "token_invalid", ["Refused: a tsr_ prefix Tessera does not issue (a mistyped or foreign token)."]);
  return explainJwt(host, trimmed);
}

async function explainRefreshToken(context: TesseraContext, token: string): Promise<TokenExplanation> {
  if (!hasValidChecksum(token, OPAQUE_TOKEN_PREFIXES.refreshToken)) {
    return blank("refresh_token", "token_malformed", ["Refused: a refresh token whose checksum does not match (mistyped or truncated)."]);
  }
  const tokenHash = hashToken(token);
  const record = await context.store.getRefreshToken(tokenHash);
  if (record === null || !tokenHashesEqual(record.tokenHash, tokenHash)) {
    return blank("refresh_token", "token_invalid", ["Refused: no such refresh token here (another server's, or deleted after it expired)."]);
  }
  const now = context.clock.now();
  const session = await context.store.getSession(record.sessionId);
  const result = blank("refresh_token", null, []);
  Object.assign(result, {
    userId: record.userId,
    sessionId: record.sessionId,
    scopes: session === null || session.scope === "" ? [] : session.scope.split(" "),
    issuedAt: record.createdAt,
    expiresAt: record.expiresAt,
  });
  const facts = [`A refresh token of user ${record.userId}, session ${record.sessionId}, issued ${iso(record.createdAt)}.`, expiryWords(record.expiresAt, now)];
  if (record.sessionRevoked || session?.revokedAt != null) {
    result.revocation = await revocationOf(context, `session:${record.sessionId}`, session?.revokedAt ?? null);
    return { ...result, accepted: false, code: "token_revoked", explanation: [`Refused: its session was ${result.revocation.how}.`, ...facts] };
  }
  if (record.spentAt !== null) {
    return {
      ...result,
      accepted: false,
      code: "token_revoked",
      explanation: [`Refused: already exchanged at ${iso(record.spentAt)}; presenting it again after the grace window revokes the session (reuse detection).`, ...facts],
    };
  }
  if (record.expiresAt <= now) return { ...result, accepted: false, code: "token_expired", explanation: [`Refused: expired ${formatDuration(now - record.expiresAt)} ago.`, ...facts] };
  return { ...result, explanation: ["Accepted: a live refresh token.", ...facts] };
}

async function explainStoredToken(context: TesseraContext, token: string): Promise<TokenExplanation> {
  const kind = storedTokenKind(token) ?? "";
  const explainedKind: ExplainedTokenKind = kind === PERSONAL_ACCESS_TOKEN_KIND ? "personal_access_token" : "app_token";
  const prefix = kind === PERSONAL_ACCESS_TOKEN_KIND ? OPAQUE_TOKEN_PREFIXES.personalAccessToken : `tsr_${kind}_`;
  const what = kind === PERSONAL_ACCESS_TOKEN_KIND ? "personal access token" : `app token of kind "${kind}"`;
  if (!hasValidChecksum(token, prefix)) return blank(explainedKind, "token_malformed", [`Refused: a ${what} whose checksum does not match (mistyped or truncated).`]);
  const tokenHash = hashToken(token);
  const record = await context.store.findTokenByHash(tokenHash);
  if (record === null || record.kind !== kind || !tokenHashesEqual(record.tokenHash, tokenHash)) {
    return blank(explainedKind, "token_invalid", [`Refused: no such ${what} here (another server's, or deleted after it expired).`]);
  }
  const now = context.clock.now();
  const result: TokenExplanation = {
    ...blank(explainedKind, null, []),
    userId: record.userId,
    tokenId: record.id,
    scopes: record.scope === "" ? [] : record.scope.split(" "),
    issuedAt: record.createdAt,
    expiresAt: record.expiresAt,
  };
  const facts = [
    `A ${what} (id ${record.id}, "${record.name}") of user ${record.userId}, created ${iso(record.createdAt)}, scope "${record.scope}".`,
    expiryWords(record.expiresAt, now),
    ...(record.lastUsedAt === null ? ["Never used."] : [`Last used ${iso(record.lastUsedAt)}.`]),
  ];
  const revokedUser = context.revocations.isRevoked({ userId: record.userId, issuedAt: record.createdAt });
  if (record.revokedAt !== null || revokedUser || context.revocations.isRevoked({ userId: "\0", issuedAt: 0, tokenId: String(record.id) })) {
    result.revocation = record.revokedAt !== null || !revokedUser ? await revocationOf(context, `token:${record.id}`, record.revokedAt) : await revocationOf(context, `user:${record.userId}`, null);
    return { ...result, accepted: false, code: "token_revoked", explanation: [`Refused: ${result.revocation.how}.`, ...facts] };
  }
  if (record.expiresAt !== null && record.expiresAt <= now) {
    return { ...result, accepted: false, code: "token_expired", explanation: [`Refused: expired ${formatDuration(now - record.expiresAt)} ago.`, ...facts] };
  }
  return { ...result, explanation: [`Accepted: a live ${what}.`, ...facts] };
}

const REASON_WORDS: Readonly<Record<string, string>> = {
  too_large: "it is larger than 8 KiB",
  not_compact: "it is not a JWT (three base64url segments) nor an opaque token Tessera issues",
  bad_header: "its JWT header is not a JSON object",
  bad_payload: "its JWT payload is not a JSON object",
  crit: "its header names critical extensions Tessera does not support",
  no_kid: "its header names no signing key (kid)",
  unknown_kid: "no key of this server's ring has its kid (signed elsewhere, or by a key dropped after every token it signed expired)",
  wrong_alg: "its algorithm is not the one of the key its kid names",
  wrong_typ: "its typ is not at+jwt",
  bad_signature: "its signature does not verify (forged, altered, or signed by another server's key with the same kid)",
  wrong_issuer: "its issuer (iss) is not this server's",
  wrong_audience: "its audience (aud) is not this server's",
  bad_claims: "a registered claim is missing or of the wrong type",
  not_yet_valid: "it is not valid yet (nbf in the future)",
  expired: "it has expired",
};

async function explainJwt(host: ExplainHost, token: string): Promise<TokenExplanation> {
  const { context } = host;
  const now = context.clock.now();
  const peeked = peekJwt(token);
  const verdict = context.keys.verify(token);
  if (peeked === null) {
    const reason = verdict.ok ? "not_compact" : verdict.reason;
    return blank("unknown", "token_malformed", [`Refused: ${REASON_WORDS[reason] ?? "it cannot be read"}.`]);
  }
  const { header, claims } = peeked;
  const clientId = typeof claims["client_id"] === "string" && claims["client_id"] === claims["sub"] ? claims["client_id"] : null;
  const kid = str(header["kid"]);
  const record = kid === null ? undefined : context.keys.records().find((key) => key.kid === kid);
  const exp = num(claims["exp"]);
  const iat = num(claims["iat"]);
  const scope = str(claims["scope"]) ?? "";
  const sid = str(claims["sid"]);
  const result: TokenExplanation = {
    ...blank(clientId === null ? "access_token" : "client_token", null, []),
    userId: clientId === null ? str(claims["sub"]) : (str(claims["tsr_owner"]) ?? null),
    clientId,
    sessionId: sid === null || !/^\d+$/.test(sid) ? null : Number(sid),
    jti: str(claims["jti"]),
    scopes: scope === "" ? [] : scope.split(" "),
    issuedAt: iat === null ? null : iat * 1000,
    expiresAt: exp === null ? null : exp * 1000,
    signingKey: kid === null ? null : { kid, alg: str(header["alg"]), known: record !== undefined, retired: record?.retiredAt != null },
    issuer: { expected: host.issuer, actual: str(claims["iss"]) },
    audience: {
      expected: host.audience,
      actual: typeof claims["aud"] === "string" || Array.isArray(claims["aud"]) ? (claims["aud"] as string | string[]) : null,
    },
  };
  const who = clientId === null ? `user ${result.userId ?? "?"}${result.sessionId === null ? " (no session)" : `, session ${result.sessionId}`}` : `machine client ${clientId}${result.userId === null ? " (no owner)" : ` acting for user ${result.userId}`}`;
  const facts = [
    `An access token (JWT) of ${who}, scope "${scope}"${result.issuedAt === null ? "" : `, issued ${iso(result.issuedAt)}`}.`,
    ...(result.expiresAt === null ? [] : [expiryWords(result.expiresAt, now)]),
    ...(result.signingKey === null
      ? []
      : [
          result.signingKey.known
            ? `Signed by key ${result.signingKey.kid} (${result.signingKey.alg ?? "?"})${result.signingKey.retired ? ", retired: it no longer signs and verifies until its tokens have expired" : ", the key that signs now or a recent one"}.`
            : `Its key ${result.signingKey.kid} is not in this server's ring.`,
        ]),
    ...(result.issuer !== null && result.issuer.actual !== host.issuer ? [`Issuer mismatch: iss is ${JSON.stringify(result.issuer.actual)}, this server expects ${JSON.stringify(host.issuer)}.`] : []),
    ...(result.audience !== null && !(result.audience.actual === host.audience || (Array.isArray(result.audience.actual) && result.audience.actual.includes(host.audience)))
      ? [`Audience mismatch: aud is ${JSON.stringify(result.audience.actual)}, this server expects ${JSON.stringify(host.audience)}.`]
      : []),
  ];
  if (!verdict.ok) {
    const words = verdict.reason === "expired" && result.expiresAt !== null ? `it expired ${formatDuration(now - result.expiresAt)} ago` : (REASON_WORDS[verdict.reason] ?? verdict.reason);
    return { ...result, accepted: false, code: verdict.code, explanation: [`Refused (${verdict.code}): ${words}.`, ...facts] };
  }
  // Genuine: is it revoked, and by what? Checked entry by entry to say which.
  const verified = await verifyAccessToken(context, token, false);
  if (verified.ok) return { ...result, explanation: [`Accepted: a genuine, unexpired, unrevoked ${clientId === null ? "access token" : "client token"}.`, ...facts] };
  const issuedAt = verified.code === "token_revoked" ? (result.issuedAt ?? 0) : 0;
  const none = "\0";
  const revocations = context.revocations;
  let subject: string;
  if (result.jti !== null && revocations.isRevoked({ jti: result.jti, userId: none, issuedAt })) subject = `jti:${result.jti}`;
  else if (result.sessionId !== null && revocations.isRevoked({ sessionId: String(result.sessionId), userId: none, issuedAt })) subject = `session:${result.sessionId}`;
  else if (clientId !== null && revocations.isRevoked({ userId: clientRevocationSubject(clientId), issuedAt })) subject = `client:${clientId}`;
  else if (clientId !== null && revocations.isRevoked({ userId: none, issuedAt, tokenId: secretRevocationSubject(num(claims["tsr_secret"]) ?? 0) })) subject = `secret:${num(claims["tsr_secret"]) ?? 0}`;
  else subject = `user:${result.userId ?? ""}`;
  result.revocation = await revocationOf(context, subject, null);
  return { ...result, accepted: false, code: verified.code, explanation: [`Refused (${verified.code}): ${result.revocation.how}.`, ...facts] };
}

/** The facts of a live stored token the owner lists (no token value needed): state and words. */
export function describeStoredToken(record: StoredTokenRecord, now: number): { status: "active" | "expired"; explanation: string } {
  const expired = record.expiresAt !== null && record.expiresAt <= now;
  const used = record.lastUsedAt === null ? "never used" : `last used ${formatDuration(now - record.lastUsedAt)} ago`;
  const state = expired ? `Refused (token_expired): expired ${formatDuration(now - (record.expiresAt ?? now))} ago` : "Accepted";
  const expiry = record.expiresAt === null ? "never expires" : expired ? `expired ${iso(record.expiresAt)}` : `expires in ${formatDuration(record.expiresAt - now)}`;
  return { status: expired ? "expired" : "active", explanation: `${state}; scope "${record.scope}", created ${iso(record.createdAt)}, ${expiry}, ${used}.` };
}

/** The facts of a live session its owner lists. */
export function describeSession(session: SessionRecord, now: number): { status: "active"; explanation: string } {
  const from = [session.ip === null ? null : `from ${session.ip}`, session.userAgent === null ? null : `with ${JSON.stringify(session.userAgent.slice(0, 80))}`].filter((part) => part !== null).join(" ");
  return {
    status: "active",
    explanation: `Accepted; logged in ${iso(session.createdAt)}${from === "" ? "" : ` ${from}`}, scope "${session.scope}", last used ${formatDuration(now - session.lastUsedAt)} ago. Its access tokens stop working when it is revoked.`,
  };
}

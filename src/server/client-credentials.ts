import type { FastifyRequest } from "fastify";
import { readBasicCredentials } from "../core/credentials/index.js";
import { clientIpKey, tighterDecision, type LimitDecision } from "../http/rate-limit.js";
import type { ServerContext } from "./context.js";

/** How a token request authenticated its client, read but not yet checked. */
export type ClientAuthentication =
  | { kind: "none" }
  | { kind: "malformed"; detail: string }
  | { kind: "present"; clientId: string; clientSecret: string; method: "client_secret_basic" | "client_secret_post" };

/** RFC 6749 2.3.1: Basic credentials are form-encoded before base64; a bad escape is no credential. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/**
 * Reads the client authentication of a token request: HTTP Basic (`client_secret_basic`) or
 * `client_id` + `client_secret` in the body (`client_secret_post`). Both at once is malformed
 * (RFC 6749 2.3: one method per request).
 */
export function readClientAuthentication(request: FastifyRequest, body: Record<string, unknown> | null | undefined): ClientAuthentication {
  const header = request.headers.authorization;
  const postedSecret = body?.["client_secret"];
  if (header !== undefined) {
    if (postedSecret !== undefined) return { kind: "malformed", detail: "Authenticate the client one way: HTTP Basic or client_secret, not both" };
    const basic = readBasicCredentials(header);
    if (basic === null || !basic.ok) return { kind: "malformed", detail: "Authenticate the client with HTTP Basic client_id:client_secret" };
    const clientId = formDecode(basic.username);
    const clientSecret = formDecode(basic.password);
    if (clientId === null || clientSecret === null) return { kind: "malformed", detail: "The Basic credentials are not form-encoded" };
    return { kind: "present", clientId, clientSecret, method: "client_secret_basic" };
  }
  if (postedSecret === undefined) return { kind: "none" };
  const clientId = body?.["client_id"];
  if (typeof clientId !== "string" || typeof postedSecret !== "string") return { kind: "malformed", detail: "client_id and client_secret must both be strings" };
  return { kind: "present", clientId, clientSecret: postedSecret, method: "client_secret_post" };
}

/** What a client credentials grant came to, with the limit closest to refusing the caller. */
export type ClientGrantOutcome = { rateLimit: LimitDecision | null } & (
  | { ok: true; accessToken: string; expiresInSeconds: number; scope: string; clientId: string }
  | { ok: false; code: "rate_limited"; retryAfterSeconds: number; detail: string; limit: "login-ip" | "client-credentials" }
  | { ok: false; code: "invalid_client"; detail: string }
  | { ok: false; code: "validation_failed"; detail: string }
);

/**
 * The client credentials grant under the login limits: every attempt counts against the caller's
 * IP (the login per-IP limit, shared with password logins), and against the client id until one
 * succeeds; a client id out of attempts is refused even with the right secret.
 */
export async function attemptClientGrant(
  context: ServerContext,
  attempt: { clientId: string; clientSecret: string; scope: string | undefined; ip: string },
): Promise<ClientGrantOutcome> {
  const perIp = context.limits.login.perIp;
  const perClient = context.limits.clientCredentials;
  const ipDecision = perIp ? await perIp.hit(clientIpKey(attempt.ip)) : null;
  if (ipDecision && !ipDecision.allowed) {
    return { ok: false, code: "rate_limited", limit: "login-ip", retryAfterSeconds: ipDecision.resetSeconds, detail: "Too many token requests from this address", rateLimit: ipDecision };
  }
  // Keys are bounded: a client id longer than any real one is counted under one shared key.
  const clientKey = attempt.clientId.length <= 64 ? attempt.clientId : "oversized";
  const clientDecision = perClient ? await perClient.hit(clientKey) : null;
  if (clientDecision && !clientDecision.allowed) {
    return { ok: false, code: "rate_limited", limit: "client-credentials", retryAfterSeconds: clientDecision.resetSeconds, detail: "Too many failed attempts for this client", rateLimit: clientDecision };
  }
  const issued = await context.tessera.clients.issueToken(attempt.clientId, attempt.clientSecret, { scope: attempt.scope });
  if (!issued.ok && issued.code === "invalid_client") {
    return { ok: false, code: "invalid_client", detail: "Client authentication failed", rateLimit: tighterDecision(ipDecision, clientDecision) };
  }
  if (perClient) await perClient.reset(clientKey);
  if (!issued.ok) return { ok: false, code: "validation_failed", detail: issued.detail ?? "invalid scope", rateLimit: ipDecision };
  return { ok: true, accessToken: issued.accessToken, expiresInSeconds: issued.expiresInSeconds, scope: issued.scope, clientId: issued.client.id, rateLimit: ipDecision };
}

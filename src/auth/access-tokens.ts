import { issuedAtMs } from "../core/jwt/jti.js";
import type { AccessTokenClaims } from "../core/jwt/index.js";
import { clientRevocationSubject, secretRevocationSubject } from "./machine-clients.js";
import type { TesseraContext } from "./tessera-context.js";
import type { Principal, Result, TokenFailureCode } from "./types.js";

/** A synchronous verdict; `unknownKid` says a key reload might change it. */
type AccessTokenCheck = Result<{ principal: Principal }, TokenFailureCode> & { unknownKid?: boolean };

/** Signature (or cache), claims and revocation set: no store round trip. */
export function checkAccessToken(context: TesseraContext, token: string, touch = true): AccessTokenCheck {
  const verified = context.keys.verify(token);
  if (!verified.ok) return { ok: false, code: verified.code, unknownKid: verified.reason === "unknown_kid" };
  const principal = principalOf(verified.claims);
  if (isRevoked(context, principal, verified.claims)) return { ok: false, code: "token_revoked" };
  const sessionId = principal.sessionId;
  if (touch && sessionId !== null) context.touches.touch(`s${sessionId}`, (now) => context.store.touchSession(sessionId, now));
  return { ok: true, principal };
}

/**
 * {@link checkAccessToken}, and on an unknown `kid` one reload of the key ring (rate-limited):
 * another instance may have rotated since this one loaded its keys.
 */
export async function verifyAccessToken(context: TesseraContext, token: string, touch = true): Promise<Result<{ principal: Principal }, TokenFailureCode>> {
  const first = checkAccessToken(context, token, touch);
  if (first.ok || first.unknownKid !== true || !context.keys.shouldReloadForUnknownKid()) return withoutHint(first);
  try {
    await context.keys.reload();
  } catch {
    // The store is down: a token signed by a key we have never seen is refused (401), not a
    // 503; the real keys are all loaded, and a new one would reach us by the periodic reload.
    return withoutHint(first);
  }
  return withoutHint(checkAccessToken(context, token, touch));
}

function withoutHint(check: AccessTokenCheck): Result<{ principal: Principal }, TokenFailureCode> {
  return check.ok ? { ok: true, principal: check.principal } : { ok: false, code: check.code };
}

function isRevoked(context: TesseraContext, principal: Principal, claims: AccessTokenClaims): boolean {
  const { revocations } = context;
  const clientId = principal.clientId;
  if (clientId === null || clientId === undefined) {
    return revocations.isRevoked({ jti: claims.jti, sessionId: claims.sid, userId: principal.userId, issuedAt: principal.issuedAt });
  }
  // A client's token dies with the client, with the secret that minted it, and with its owner.
  const viaClient = revocations.isRevoked({
    jti: claims.jti,
    userId: clientRevocationSubject(clientId),
    issuedAt: principal.issuedAt,
    tokenId: secretRevocationSubject(Number(claims["tsr_secret"])),
  });
  return viaClient || (principal.userId !== "" && revocations.isRevoked({ userId: principal.userId, issuedAt: principal.issuedAt }));
}

/** A client's token: `client_id` equal to `sub`, and the secret that minted it (claims only Tessera sets). */
function isClientToken(claims: AccessTokenClaims): boolean {
  return typeof claims["client_id"] === "string" && claims["client_id"] === claims.sub && Number.isSafeInteger(claims["tsr_secret"]);
}

function principalOf(claims: AccessTokenClaims): Principal {
  if (isClientToken(claims)) {
    const owner = claims["tsr_owner"];
    return {
      userId: typeof owner === "string" ? owner : "",
      tokenType: "client_token",
      tokenKind: "client",
      clientId: claims.sub,
      scopes: claims.scope === "" ? [] : claims.scope.split(" "),
      sessionId: null,
      tokenId: null,
      jti: claims.jti,
      issuedAt: issuedAtMs(claims),
      expiresAt: claims.exp * 1000,
    };
  }
  return {
    userId: claims.sub,
    tokenType: "access_token",
    tokenKind: "access",
    scopes: claims.scope === "" ? [] : claims.scope.split(" "),
    sessionId: claims.sid === undefined ? null : Number(claims.sid),
    tokenId: null,
    jti: claims.jti,
    issuedAt: issuedAtMs(claims),
    expiresAt: claims.exp * 1000,
  };
}

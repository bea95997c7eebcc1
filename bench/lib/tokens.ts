// Tokens the harness mints for the peer servers (Tessera scenarios get theirs from the server itself).
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";

/** Issuer and audience written into peer tokens; peers verify only signature and expiry, as their tutorials do. */
export const PEER_ISSUER = "https://bench.tessera.invalid";
export const PEER_AUDIENCE = "tessera-bench";

/**
 * Creates a fresh HS256 secret (32 random bytes, base64url) for one bench run.
 *
 * @example
 * const secret = createPeerSecret();
 */
export function createPeerSecret(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * Mints the HS256 access token every peer receives, valid for `ttlSeconds` (one hour by default).
 *
 * @example
 * const token = await mintPeerToken({ secret, ttlSeconds: 3600 });
 */
export async function mintPeerToken(options: { secret: string; ttlSeconds?: number }): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: "users:read posts:read", username: "bench" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject("1")
    .setIssuer(PEER_ISSUER)
    .setAudience(PEER_AUDIENCE)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + (options.ttlSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(options.secret));
}

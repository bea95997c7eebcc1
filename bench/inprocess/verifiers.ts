// The in-process verifier registry: one entry per library and algorithm, all verifying the
// same tokens with the same checks (pinned algorithm, signature, exp/nbf, iss, aud).
import { createSecretKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { createVerifier } from "fast-jwt";
import { jwtVerify, SignJWT } from "jose";
import jsonwebtoken from "jsonwebtoken";
import type { SigningKeyRecord } from "../../src/core/token-store.js";

export type VerifierAlg = "HS256" | "EdDSA";

export interface KeyMaterial {
  issuer: string;
  audience: string;
  hs256: { kid: string; secret: Buffer };
  eddsa: { kid: string; publicKey: KeyObject; privateKey: KeyObject; publicKeyPem: string };
}

export interface BenchTokens {
  HS256: string;
  EdDSA: string;
}

/** A ready verifier: throws (or rejects) on an invalid token, returns claims otherwise. */
export type Verify = { kind: "sync"; verify(token: string): unknown } | { kind: "async"; verify(token: string): Promise<unknown> };

export interface VerifierCase {
  /** Library label in the table, e.g. "fast-jwt (no cache)". */
  library: string;
  alg: VerifierAlg;
  /** Returns the verifier, or a string saying why this library cannot do this algorithm here. */
  create(keys: KeyMaterial, tokens: BenchTokens): Promise<Verify | string>;
}

/**
 * Names the report uses for the target "Tessera verifier >= fast-jwt without cache"; the
 * target is judged on Tessera without its cache, the like-for-like comparison.
 */
export const FAST_JWT_NO_CACHE = "fast-jwt (no cache)";
export const TESSERA_VERIFIER = "tessera (no cache)";
export const TESSERA_VERIFIER_CACHED = "tessera (cache)";

/**
 * Creates fresh keys for one run: a 256-bit HS256 secret and an Ed25519 pair.
 *
 * @example
 * const keys = createKeyMaterial();
 */
export function createKeyMaterial(): KeyMaterial {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    issuer: "https://bench.tessera.invalid",
    audience: "tessera",
    hs256: { kid: randomBytes(16).toString("base64url"), secret: randomBytes(32) },
    eddsa: {
      kid: randomBytes(16).toString("base64url"),
      publicKey,
      privateKey,
      publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    },
  };
}

/**
 * Mints one access token per algorithm shaped like Tessera's (typ at+jwt, kid, sid, scope), valid for one hour.
 *
 * @example
 * const tokens = await mintBenchTokens(createKeyMaterial());
 */
export async function mintBenchTokens(keys: KeyMaterial): Promise<BenchTokens> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const build = () =>
    new SignJWT({ scope: "users:read posts:read", sid: "1" })
      .setSubject("1")
      .setIssuer(keys.issuer)
      .setAudience(keys.audience)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(nowSeconds + 3600)
      .setJti(randomUUID());
  return {
    HS256: await build().setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: keys.hs256.kid }).sign(keys.hs256.secret),
    EdDSA: await build().setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: keys.eddsa.kid }).sign(keys.eddsa.privateKey),
  };
}

function joseCase(alg: VerifierAlg): VerifierCase {
  return {
    library: "jose",
    alg,
    create: (keys) => {
      const key = alg === "HS256" ? new Uint8Array(keys.hs256.secret) : keys.eddsa.publicKey;
      const options = { algorithms: [alg], issuer: keys.issuer, audience: keys.audience };
      return Promise.resolve({ kind: "async", verify: (token: string) => jwtVerify(token, key, options) });
    },
  };
}

function fastJwtCase(alg: VerifierAlg, cache: boolean): VerifierCase {
  return {
    library: cache ? "fast-jwt (cache)" : FAST_JWT_NO_CACHE,
    alg,
    create: (keys) => {
      const verify = createVerifier({
        key: alg === "HS256" ? keys.hs256.secret : keys.eddsa.publicKeyPem,
        algorithms: [alg],
        allowedIss: keys.issuer,
        allowedAud: keys.audience,
        cache,
      });
      return Promise.resolve({ kind: "sync", verify: (token: string): unknown => verify(token) });
    },
  };
}

function jsonwebtokenCase(alg: VerifierAlg): VerifierCase {
  return {
    library: "jsonwebtoken",
    alg,
    create: (keys) => {
      if (alg !== "HS256") return Promise.resolve("jsonwebtoken 9 does not support EdDSA");
      const options = { algorithms: ["HS256" as const], issuer: keys.issuer, audience: keys.audience };
      return Promise.resolve({ kind: "sync", verify: (token: string): unknown => jsonwebtoken.verify(token, keys.hs256.secret, options) });
    },
  };
}

// Tessera's own verifier (tessera-auth/jwt, the compiled dist/ npm run bench builds). Loaded with a dynamic import so the bench still runs
// while that module is missing or changes shape: any failure becomes a skip note, never a crash.
// Its key ring is built from the same key material, so it verifies the very same tokens.
interface TesseraJwtModule {
  createKeyRing(records: readonly SigningKeyRecord[]): unknown;
  createAccessTokenVerifier(options: { keyRing: unknown; issuer: string; audience: string; cacheSize?: number }): {
    verify(token: string): { ok: true; claims: unknown } | { ok: false; code: string };
  };
}

async function loadTesseraJwt(): Promise<TesseraJwtModule | string> {
  // A variable specifier keeps tsc from resolving it: the bench type-checks without that module.
  const specifier = "tessera-auth/jwt";
  let loaded: Partial<TesseraJwtModule>;
  try {
    loaded = (await import(specifier)) as Partial<TesseraJwtModule>;
  } catch (error) {
    return `not yet available (tessera-auth/jwt cannot be imported: ${error instanceof Error ? error.message.split("\n")[0] : "unknown error"})`;
  }
  if (typeof loaded.createAccessTokenVerifier !== "function" || typeof loaded.createKeyRing !== "function") {
    return "not yet available (tessera-auth/jwt lacks createAccessTokenVerifier or createKeyRing)";
  }
  return loaded as TesseraJwtModule;
}

function toSigningKeyRecord(keys: KeyMaterial, alg: VerifierAlg): SigningKeyRecord {
  const base = { alg, createdAt: Date.now(), retiredAt: null, expiresAt: null };
  if (alg === "HS256") {
    const { kid, secret } = keys.hs256;
    const jwk = { ...createSecretKey(secret).export({ format: "jwk" }), kid, alg, use: "sig" };
    return { ...base, kid, privateJwk: JSON.stringify(jwk), publicJwk: null };
  }
  const { kid, privateKey, publicKey } = keys.eddsa;
  const tags = { kid, alg, use: "sig" };
  return {
    ...base,
    kid,
    privateJwk: JSON.stringify({ ...privateKey.export({ format: "jwk" }), ...tags }),
    publicJwk: JSON.stringify({ ...publicKey.export({ format: "jwk" }), ...tags }),
  };
}

function tesseraCase(alg: VerifierAlg, cache: boolean): VerifierCase {
  return {
    library: cache ? TESSERA_VERIFIER_CACHED : TESSERA_VERIFIER,
    alg,
    create: async (keys) => {
      const jwt = await loadTesseraJwt();
      if (typeof jwt === "string") return jwt;
      const verifier = jwt.createAccessTokenVerifier({
        keyRing: jwt.createKeyRing([toSigningKeyRecord(keys, alg)]),
        issuer: keys.issuer,
        audience: keys.audience,
        // 0 disables its verified-token cache; the default size is what the server uses.
        ...(cache ? {} : { cacheSize: 0 }),
      });
      return {
        kind: "sync",
        verify: (token: string): unknown => {
          const result = verifier.verify(token);
          // Failures are values in Tessera; the harness's contract is "throw on invalid".
          if (!result.ok) throw new Error(result.code);
          return result.claims;
        },
      };
    },
  };
}

/** Every verifier case, grouped by algorithm so the table reads library by library. */
export const verifierCases: VerifierCase[] = (["HS256", "EdDSA"] as const).flatMap((alg) => [
  joseCase(alg),
  fastJwtCase(alg, false),
  fastJwtCase(alg, true),
  jsonwebtokenCase(alg),
  tesseraCase(alg, false),
  tesseraCase(alg, true),
]);

import { createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { TesseraError } from "../errors.js";
import type { SigningKeyRecord } from "../token-store.js";
import { isJwtAlg, type JwtAlg } from "./algorithms.js";
import { decodeCanonicalBase64url, encodeBase64url } from "./base64url.js";
import { generateSigningKey, HS256_SECRET_BYTES, RSA_MODULUS_BITS } from "./generate-signing-key.js";

/** A key of the ring, ready for node:crypto. */
export interface RingKey {
  readonly kid: string;
  readonly alg: JwtAlg;
  /** The public key, or the secret for HS256. */
  readonly verificationKey: KeyObject;
  readonly createdAt: number;
  readonly retiredAt: number | null;
  /** Epoch ms after which the key verifies nothing; null while it is not retired. */
  readonly expiresAt: number | null;
}

/** The key new tokens are signed with. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: JwtAlg;
  readonly privateKey: KeyObject;
  /** `base64url({"alg","typ":"at+jwt","kid"})`, computed once per key. */
  readonly encodedHeader: string;
}

/** A public JWK as published in the JWKS. */
export interface PublicJwk {
  readonly kty: string;
  readonly kid: string;
  readonly alg: JwtAlg;
  readonly use: "sig";
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
}

/** A JWK Set (RFC 7517 section 5). */
export interface JsonWebKeySet {
  keys: PublicJwk[];
}

export interface PlanRotationOptions {
  /** Algorithm of the new key (it may differ from the current one). */
  alg: JwtAlg;
  /** Epoch milliseconds. */
  now: number;
  /** The longest access-token TTL any instance issues; old keys must outlive such tokens. */
  maxTokenTtlSeconds: number;
  /**
   * Added to the TTL before old keys expire: covers verification leeway and the time
   * other instances need to reload the ring. Default 60.
   */
  leewaySeconds?: number;
}

/** What {@link KeyRing.planRotation} asks the store to do. */
export interface KeyRotationPlan {
  /** Insert this record (`store.insertSigningKey`). */
  newKey: SigningKeyRecord;
  /** Retire these keys (`store.retireSigningKey(kid, retiredAt, expiresAt)`). */
  retired: { kid: string; retiredAt: number; expiresAt: number }[];
  /** The ring's records after the rotation, for `createKeyRing(plan.records)`. */
  records: SigningKeyRecord[];
}

/**
 * The signing keys of one deployment: one current signing key and every key that may
 * still verify. Immutable; a rotation yields records for a new ring.
 *
 * @example
 * const plan = await ring.planRotation({ alg: "EdDSA", now: Date.now(), maxTokenTtlSeconds: 900 });
 * await store.insertSigningKey(plan.newKey);
 * for (const old of plan.retired) await store.retireSigningKey(old.kid, old.retiredAt, old.expiresAt);
 * verifier.setKeyRing(createKeyRing(plan.records));
 */
export interface KeyRing {
  /** Newest non-retired key; null when every key is retired (issuing then throws). */
  readonly signingKey: SigningKey | null;
  readonly keys: readonly RingKey[];
  /** The key with this kid, whether or not it has expired. */
  findKey(kid: string): RingKey | undefined;
  /** The key with this kid if it may verify at `now` (epoch ms): known and not expired. */
  getVerificationKey(kid: string, now: number): RingKey | undefined;
  /** Public keys that may still verify at `now` (all, without it). HS256 keys never appear. */
  toJwks(options?: { now?: number }): JsonWebKeySet;
  /** The records the ring was built from, for the store. */
  toRecords(): SigningKeyRecord[];
  /** Generates a new key and retires the current ones once their last token can have expired. */
  planRotation(options: PlanRotationOptions): Promise<KeyRotationPlan>;
}

/** Default for {@link PlanRotationOptions.leewaySeconds}. */
export const DEFAULT_ROTATION_LEEWAY_SECONDS = 60;

/**
 * Builds a key ring from stored records. Throws `TesseraError("internal_error")` for a
 * record that cannot be a valid key (unknown alg, broken JWK, weak key, duplicate kid):
 * that is corrupt storage, not a bad request.
 *
 * @example
 * const ring = createKeyRing(await store.listSigningKeys());
 * const { token } = issueAccessToken(ring, { ...claims, ttlSeconds: 900, now: Date.now() });
 */
export function createKeyRing(records: readonly SigningKeyRecord[]): KeyRing {
  const snapshot = records.map((record) => ({ ...record }));
  const byKid = new Map<string, RingKey>();
  const jwks: PublicJwk[] = [];
  for (const record of snapshot) {
    if (byKid.has(record.kid)) throw corrupt(record.kid, "duplicate kid");
    const key = prepareRingKey(record);
    byKid.set(record.kid, key);
    if (record.publicJwk !== null) jwks.push(toPublicJwk(record, key.verificationKey));
  }
  const current = pickSigningRecord(snapshot);
  const signingKey = current === undefined ? null : prepareSigningKey(current, byKid.get(current.kid) as RingKey);
  const keys = Object.freeze([...byKid.values()]);
  const jwkByKid = new Map(jwks.map((jwk) => [jwk.kid, jwk]));

  return Object.freeze({
    signingKey,
    keys,
    findKey: (kid: string) => byKid.get(kid),
    getVerificationKey(kid: string, now: number) {
      const key = byKid.get(kid);
      return key !== undefined && (key.expiresAt === null || now < key.expiresAt) ? key : undefined;
    },
    toJwks(options?: { now?: number }): JsonWebKeySet {
      const now = options?.now;
      const live = keys.filter((key) => now === undefined || key.expiresAt === null || now < key.expiresAt);
      return { keys: live.flatMap((key) => jwkByKid.get(key.kid) ?? []).map((jwk) => ({ ...jwk })) };
    },
    toRecords: () => snapshot.map((record) => ({ ...record })),
    async planRotation(options: PlanRotationOptions): Promise<KeyRotationPlan> {
      const { alg, now, maxTokenTtlSeconds, leewaySeconds = DEFAULT_ROTATION_LEEWAY_SECONDS } = options;
      if (!Number.isFinite(maxTokenTtlSeconds) || maxTokenTtlSeconds <= 0) {
        throw new RangeError("maxTokenTtlSeconds must be a positive number of seconds");
      }
      if (!Number.isFinite(leewaySeconds) || leewaySeconds < 0) throw new RangeError("leewaySeconds must be >= 0");
      const newKey = await generateSigningKey({ alg, now });
      // A token signed just before `now` lives until now + TTL (+ leeway on the verifier).
      const expiresAt = now + (maxTokenTtlSeconds + leewaySeconds) * 1000;
      const retired = snapshot
        .filter((record) => record.retiredAt === null)
        .map((record) => ({ kid: record.kid, retiredAt: now, expiresAt }));
      const retiredKids = new Set(retired.map((entry) => entry.kid));
      const kept = snapshot.map((record) =>
        retiredKids.has(record.kid) ? { ...record, retiredAt: now, expiresAt } : { ...record },
      );
      return { newKey, retired, records: [...kept, newKey] };
    },
  });
}

// Newest createdAt wins; ties are broken by kid so every instance picks the same key.
function pickSigningRecord(records: readonly SigningKeyRecord[]): SigningKeyRecord | undefined {
  let best: SigningKeyRecord | undefined;
  for (const record of records) {
    if (record.retiredAt !== null) continue;
    if (best === undefined || record.createdAt > best.createdAt || (record.createdAt === best.createdAt && record.kid > best.kid)) {
      best = record;
    }
  }
  return best;
}

function prepareRingKey(record: SigningKeyRecord): RingKey {
  const { kid, alg } = record;
  if (typeof kid !== "string" || kid.length === 0) throw corrupt(String(kid), "empty kid");
  if (!isJwtAlg(alg)) throw corrupt(kid, "unsupported alg");
  let verificationKey: KeyObject;
  if (alg === "HS256") {
    verificationKey = readSecretKey(record);
  } else {
    if (record.publicJwk === null) throw corrupt(kid, "missing public JWK");
    verificationKey = importKey(kid, () => createPublicKey({ key: parseJwk(kid, record.publicJwk as string), format: "jwk" }));
    assertKeyFitsAlg(kid, alg, verificationKey);
  }
  return Object.freeze({
    kid,
    alg,
    verificationKey,
    createdAt: record.createdAt,
    retiredAt: record.retiredAt,
    expiresAt: record.retiredAt === null ? null : record.expiresAt,
  });
}

function prepareSigningKey(record: SigningKeyRecord, ringKey: RingKey): SigningKey {
  const { kid, alg } = ringKey;
  let privateKey: KeyObject;
  if (alg === "HS256") {
    privateKey = ringKey.verificationKey;
  } else {
    privateKey = importKey(kid, () => createPrivateKey({ key: parseJwk(kid, record.privateJwk), format: "jwk" }));
    // A private key that does not match the published public key would mint tokens nobody can verify.
    if (!createPublicKey(privateKey).equals(ringKey.verificationKey)) throw corrupt(kid, "private and public JWK differ");
  }
  const encodedHeader = encodeBase64url(JSON.stringify({ alg, typ: "at+jwt", kid }));
  return Object.freeze({ kid, alg, privateKey, encodedHeader });
}

function readSecretKey(record: SigningKeyRecord): KeyObject {
  const jwk = parseJwk(record.kid, record.privateJwk);
  const secret = jwk.kty === "oct" && typeof jwk.k === "string" ? decodeCanonicalBase64url(jwk.k) : null;
  if (secret === null) throw corrupt(record.kid, "expected an oct JWK");
  if (secret.length < HS256_SECRET_BYTES) throw corrupt(record.kid, "HS256 secret shorter than 256 bits");
  return createSecretKey(secret);
}

function assertKeyFitsAlg(kid: string, alg: JwtAlg, key: KeyObject): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails;
  const fits =
    (alg === "EdDSA" && type === "ed25519") ||
    (alg === "ES256" && type === "ec" && details?.namedCurve === "prime256v1") ||
    (alg === "RS256" && type === "rsa" && (details?.modulusLength ?? 0) >= RSA_MODULUS_BITS);
  if (!fits) throw corrupt(kid, `key type does not fit ${alg}`);
}

const PUBLIC_JWK_MEMBERS = ["crv", "x", "y", "n", "e"] as const;

function toPublicJwk(record: SigningKeyRecord, key: KeyObject): PublicJwk {
  // Re-exported from the public KeyObject and filtered, so no private member can reach the JWKS.
  const exported = key.export({ format: "jwk" });
  const members = PUBLIC_JWK_MEMBERS.flatMap((name) => (typeof exported[name] === "string" ? [[name, exported[name]]] : []));
  return Object.freeze({ kty: String(exported.kty), ...Object.fromEntries(members), kid: record.kid, alg: record.alg as JwtAlg, use: "sig" as const });
}

function parseJwk(kid: string, json: string): JsonWebKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw corrupt(kid, "JWK is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw corrupt(kid, "JWK is not an object");
  return parsed as JsonWebKey;
}

function importKey(kid: string, load: () => KeyObject): KeyObject {
  try {
    return load();
  } catch (cause) {
    throw corrupt(kid, "JWK cannot be imported", cause);
  }
}

function corrupt(kid: string, reason: string, cause?: unknown): TesseraError {
  // The kid is public (it is in every token header); key material never goes in messages.
  return new TesseraError("internal_error", `signing key "${kid}": ${reason}`, cause === undefined ? undefined : { cause });
}

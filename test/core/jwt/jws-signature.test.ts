import { strict as assert } from "node:assert";
import { createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, sign } from "node:crypto";
import { test } from "node:test";
import { calculateJwkThumbprint, compactVerify, importJWK } from "jose";
import { createJwsSignature, verifyJwsSignature } from "../../../src/core/jwt/jws-signature.js";

// RFC 7515 appendix A.1: HS256. The header and payload contain CR LF, so this also
// checks that the signing input is hashed exactly as sent, not re-serialised.
const RFC7515_A1 = {
  k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
  signingInput:
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
  signature: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
};

// RFC 8037 appendix A.1, A.3 and A.4: Ed25519 key, its thumbprint, and a signature.
const RFC8037 = {
  jwk: {
    kty: "OKP",
    crv: "Ed25519",
    d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
  },
  thumbprint: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
  signingInput: "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc",
  signature: "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
};

function flipLastByte(signature: string): Buffer {
  const bytes = Buffer.from(signature, "base64url");
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return bytes;
}

test("RFC 7515 A.1: the HS256 signature verifies, as a string and as bytes", () => {
  const key = createSecretKey(Buffer.from(RFC7515_A1.k, "base64url"));
  const signature = Buffer.from(RFC7515_A1.signature, "base64url");
  assert.equal(verifyJwsSignature("HS256", key, RFC7515_A1.signingInput, signature), true);
  assert.equal(verifyJwsSignature("HS256", key, Buffer.from(RFC7515_A1.signingInput, "latin1"), signature), true);
  assert.equal(createJwsSignature("HS256", key, RFC7515_A1.signingInput).toString("base64url"), RFC7515_A1.signature);
});

test("RFC 7515 A.1: a changed MAC, a truncated MAC or a changed input is refused", () => {
  const key = createSecretKey(Buffer.from(RFC7515_A1.k, "base64url"));
  const signature = Buffer.from(RFC7515_A1.signature, "base64url");
  assert.equal(verifyJwsSignature("HS256", key, RFC7515_A1.signingInput, flipLastByte(RFC7515_A1.signature)), false);
  assert.equal(verifyJwsSignature("HS256", key, RFC7515_A1.signingInput, signature.subarray(0, 31)), false);
  assert.equal(verifyJwsSignature("HS256", key, `${RFC7515_A1.signingInput}x`, signature), false);
});

test("RFC 8037 A.4: the Ed25519 signature verifies and signing reproduces it (EdDSA is deterministic)", () => {
  const privateKey = createPrivateKey({ key: RFC8037.jwk, format: "jwk" });
  const publicKey = createPublicKey(privateKey);
  const signature = Buffer.from(RFC8037.signature, "base64url");
  assert.equal(verifyJwsSignature("EdDSA", publicKey, RFC8037.signingInput, signature), true);
  assert.equal(createJwsSignature("EdDSA", privateKey, RFC8037.signingInput).toString("base64url"), RFC8037.signature);
  assert.equal(verifyJwsSignature("EdDSA", publicKey, RFC8037.signingInput, flipLastByte(RFC8037.signature)), false);
  assert.equal(verifyJwsSignature("EdDSA", publicKey, "eyJhbGciOiJFZERTQSJ9.eA", signature), false);
});

test("RFC 8037 A.3: jose's thumbprint (our kid) of the Ed25519 public key matches the RFC", async () => {
  const { d: _d, ...publicJwk } = RFC8037.jwk;
  assert.equal(await calculateJwkThumbprint(publicJwk, "sha256"), RFC8037.thumbprint);
});

test("ES256 and RS256 signatures are JWS-shaped: jose verifies what we sign", async () => {
  const cases = [
    { alg: "ES256", pair: generateKeyPairSync("ec", { namedCurve: "P-256" }), length: 64 },
    { alg: "RS256", pair: generateKeyPairSync("rsa", { modulusLength: 2048 }), length: 256 },
  ] as const;
  for (const { alg, pair, length } of cases) {
    const signingInput = `${Buffer.from(JSON.stringify({ alg })).toString("base64url")}.${Buffer.from("hello").toString("base64url")}`;
    const signature = createJwsSignature(alg, pair.privateKey, signingInput);
    assert.equal(signature.length, length);
    assert.equal(verifyJwsSignature(alg, pair.publicKey, signingInput, signature), true);
    const joseKey = await importJWK(pair.publicKey.export({ format: "jwk" }), alg);
    const { payload } = await compactVerify(`${signingInput}.${signature.toString("base64url")}`, joseKey, { algorithms: [alg] });
    assert.equal(Buffer.from(payload).toString(), "hello");
  }
});

test("a key of the wrong type or a signature of the wrong size is refused without throwing", () => {
  const ed = generateKeyPairSync("ed25519");
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const input = "e30.e30";
  const edSignature = createJwsSignature("EdDSA", ed.privateKey, input);
  assert.equal(verifyJwsSignature("ES256", ec.publicKey, input, edSignature.subarray(0, 63)), false);
  assert.equal(verifyJwsSignature("RS256", ed.publicKey, input, edSignature), false);
  assert.equal(verifyJwsSignature("EdDSA", ec.publicKey, input, edSignature), false);
  assert.equal(verifyJwsSignature("EdDSA", ed.publicKey, input, Buffer.alloc(0)), false);
  // DER-encoded ECDSA is what OpenSSL emits by default; JWS requires r || s (RFC 7518 section 3.4).
  const der = sign("sha256", Buffer.from(input), ec.privateKey);
  assert.equal(verifyJwsSignature("ES256", ec.publicKey, input, der), false);
  const p1363 = createJwsSignature("ES256", ec.privateKey, input);
  assert.equal(verifyJwsSignature("ES256", ec.publicKey, input, p1363), true);
  assert.equal(verifyJwsSignature("ES256", ec.publicKey, input, Buffer.concat([p1363, Buffer.alloc(1)])), false);
});

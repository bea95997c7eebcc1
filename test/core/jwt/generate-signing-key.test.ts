import { strict as assert } from "node:assert";
import { test } from "node:test";
import { calculateJwkThumbprint, type JWK } from "jose";
import { JWT_ALGS } from "../../../src/core/jwt/algorithms.js";
import { generateSigningKey } from "../../../src/core/jwt/generate-signing-key.js";
import { ConfigError } from "../../../src/core/errors.js";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];

for (const alg of JWT_ALGS.filter((candidate) => candidate !== "HS256")) {
  test(`${alg}: a record with a thumbprint kid, a public JWK without private members, and a private JWK`, async () => {
    const record = await generateSigningKey({ alg, now: 1_000 });
    assert.equal(record.alg, alg);
    assert.equal(record.createdAt, 1_000);
    assert.equal(record.retiredAt, null);
    assert.equal(record.expiresAt, null);
    assert.notEqual(record.publicJwk, null);
    const publicJwk = JSON.parse(record.publicJwk ?? "") as Record<string, unknown>;
    const privateJwk = JSON.parse(record.privateJwk) as Record<string, unknown>;
    for (const member of PRIVATE_MEMBERS) assert.equal(member in publicJwk, false, member);
    assert.equal(typeof privateJwk.d, "string");
    assert.deepEqual([publicJwk.kid, publicJwk.alg, publicJwk.use], [record.kid, alg, "sig"]);
    assert.deepEqual([privateJwk.kid, privateJwk.alg, privateJwk.use], [record.kid, alg, "sig"]);
    // RFC 7638: the kid is the SHA-256 thumbprint of the public key.
    assert.equal(record.kid, await calculateJwkThumbprint(publicJwk as JWK, "sha256"));
  });
}

test("HS256: a 256-bit secret, a random kid, no public JWK", async () => {
  const record = await generateSigningKey({ alg: "HS256", now: 5 });
  const other = await generateSigningKey({ alg: "HS256", now: 5 });
  assert.equal(record.publicJwk, null);
  const jwk = JSON.parse(record.privateJwk) as { kty: string; k: string; kid: string; alg: string };
  assert.equal(jwk.kty, "oct");
  assert.equal(Buffer.from(jwk.k, "base64url").length, 32);
  assert.equal(jwk.kid, record.kid);
  assert.match(record.kid, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(record.kid, other.kid);
  assert.notEqual(jwk.k, (JSON.parse(other.privateJwk) as { k: string }).k);
  // The kid is public: it must not be derived from the secret.
  assert.notEqual(record.kid, await calculateJwkThumbprint({ kty: "oct", k: jwk.k }, "sha256"));
});

test("RS256 keys are 2048 bits", async () => {
  const record = await generateSigningKey({ alg: "RS256", now: 0 });
  const { n } = JSON.parse(record.publicJwk ?? "") as { n: string };
  assert.equal(Buffer.from(n, "base64url").length * 8, 2048);
});

test("an unsupported alg is a ConfigError", async () => {
  await assert.rejects(generateSigningKey({ alg: "none" as never, now: 0 }), ConfigError);
  await assert.rejects(generateSigningKey({ alg: "HS512" as never, now: 0 }), ConfigError);
});

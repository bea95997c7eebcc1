// Security hardening, item 13: an ES256 signature with a high S was accepted, so one token had two
// valid strings (RFC 8725 3.2). Tessera now signs low-S and refuses high-S.
import { strict as assert } from "node:assert";
import { generateKeyPairSync, verify } from "node:crypto";
import { test } from "node:test";
import { createJwsSignature, verifyJwsSignature } from "../../src/core/jwt/jws-signature.js";

const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const flipS = (signature: Buffer): Buffer => {
  const s = BigInt(`0x${signature.subarray(32).toString("hex")}`);
  return Buffer.concat([signature.subarray(0, 32), Buffer.from((ORDER - s).toString(16).padStart(64, "0"), "hex")]);
};

test("ES256: the high-S twin of a valid signature is refused, and Tessera only ever signs low-S", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  for (let i = 0; i < 40; i++) {
    const input = `e30.${Buffer.from(String(i)).toString("base64url")}`;
    const signature = createJwsSignature("ES256", privateKey, input);
    assert.ok(BigInt(`0x${signature.subarray(32).toString("hex")}`) <= ORDER >> 1n, "signed low-S");
    assert.equal(verifyJwsSignature("ES256", publicKey, input, signature), true);
    const twin = flipS(signature);
    // The twin is a mathematically valid ECDSA signature (OpenSSL accepts it) ...
    assert.equal(verify("sha256", Buffer.from(input, "latin1"), { key: publicKey, dsaEncoding: "ieee-p1363" }, twin), true);
    // ... and Tessera refuses it.
    assert.equal(verifyJwsSignature("ES256", publicKey, input, twin), false);
  }
});

import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { SHA_CRYPT_MAX_PASSWORD_BYTES, SHA_CRYPT_MAX_ROUNDS, computeShaCryptChecksum, parseShaCryptHash, verifyShaCrypt } from "../../../src/core/passwords/sha-crypt.js";

// Test vectors from Drepper's specification (SHA-crypt.txt), as [password, salt setting, hash].
// The rounds=10 and rounds=5000 entries check clamping and explicit default rounds.
const SPEC_VECTORS: readonly (readonly [string, string, string])[] = [
  ["Hello world!", "$5$saltstring", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"],
  ["Hello world!", "$5$rounds=10000$saltstringsaltstring", "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA"],
  ["This is just a test", "$5$rounds=5000$toolongsaltstring", "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5"],
  [
    "a very much longer text to encrypt.  This one even stretches over morethan one line.",
    "$5$rounds=1400$anotherlongsaltstring",
    "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1",
  ],
  ["we have a short salt string but not a short password", "$5$rounds=77777$short", "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/"],
  ["a short string", "$5$rounds=123456$asaltof16chars..", "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD"],
  ["the minimum number is still observed", "$5$rounds=10$roundstoolow", "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC"],
  ["Hello world!", "$6$saltstring", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"],
  [
    "Hello world!",
    "$6$rounds=10000$saltstringsaltstring",
    "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
  ],
  [
    "This is just a test",
    "$6$rounds=5000$toolongsaltstring",
    "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0",
  ],
  [
    "a very much longer text to encrypt.  This one even stretches over morethan one line.",
    "$6$rounds=1400$anotherlongsaltstring",
    "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1",
  ],
  [
    "we have a short salt string but not a short password",
    "$6$rounds=77777$short",
    "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0",
  ],
  [
    "a short string",
    "$6$rounds=123456$asaltof16chars..",
    "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1",
  ],
  [
    "the minimum number is still observed",
    "$6$rounds=10$roundstoolow",
    "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.",
  ],
];

// [password, hash]: passlib's sha256_crypt documentation examples, the Rust pwhash crate's
// doc examples, and hashes made by glibc-compatible libxcrypt (Python 3.11 `crypt.crypt`),
// including passwords exactly 32/64/96 bytes long (digest-size multiples, where the
// `unixcrypt` npm package goes wrong) and non-ASCII passwords (hashed as UTF-8).
const INDEPENDENT_VECTORS: readonly (readonly [string, string])[] = [
  ["password", "$5$rounds=80000$wnsT7Yr92oJoP28r$cKhJImk5mfuSKV9b3mumNzlbstFUplKtQXXMo4G6Ep5"],
  ["password", "$5$rounds=12345$q3hvJE5mn5jKRsW.$BbbYTFiaImz9rTy03GGi.Jf9YY5bmxN0LU3p3uI1iUB"],
  ["test", "$6$G/gkPn17kHYo0gTF$xhDFU0QYExdMH2ghOWKrrVtu1BuTpNMSJURCXk43.EYekmK8iwV6RNqftUUC8mqDel1J7m3JEbUkbu4YyqSyv/"],
  ["test", "$5$rounds=11858$WH1ABM5sKhxbkgCK$aTQsjPkz0rBsH3lQlJxw9HDTDXPKBxC0LlVeV69P.t1"],
  ["a".repeat(32), "$5$rounds=1000$OQ8ZzUkQhe2Ks1Jb$zFeqDA8GiZgrFR2deVDcPtUFlVHyuYTlNqQFrKpiD8."],
  ["a".repeat(32), "$6$rounds=1000$OQ8ZzUkQhe2Ks1Jb$mQY/le1jMnIEbGC2T9OIw0i.Jrq/uZEJrbkM4lgs9KOtCsmbO884PaeFwtj3uyXoNRY6kdO1G3GtgcXTJ0MvH/"],
  ["b".repeat(64), "$5$rounds=1000$OQ8ZzUkQhe2Ks1Jb$/8YhRPPAwqLaYqwvX0REFCcvLgOI91iXN3iAR.wNJL2"],
  ["b".repeat(64), "$6$rounds=1000$OQ8ZzUkQhe2Ks1Jb$R/.ztTZjoHEc5Q8fIXPQ8gEelwwKAREkbraS.fqPZ6d/YZnkhCLLjEXU8I/LXdTqiUIV94cCjkyT16eOWT1L.."],
  ["c".repeat(96), "$5$rounds=1000$OQ8ZzUkQhe2Ks1Jb$5FZ9XWd6BiWUaKhZSbup2VZREYQ5De5T7G0op9pcZU2"],
  ["c".repeat(96), "$6$rounds=1000$OQ8ZzUkQhe2Ks1Jb$SkHqthC5bLM3bEOSmsyBMGue1a.AVpUWpr34tATqoO3qGrh2jqko3Y/aLwTh9d5PAfYtgx6XckcNIT9GUKRwA/"],
  ["pässwörd ünïcode €", "$5$rounds=1000$OQ8ZzUkQhe2Ks1Jb$8wFcX5vEFe1rvG4ogv4fCYxWlVBQdTvZHzrrZvw4Xd2"],
  ["pässwörd ünïcode €", "$6$rounds=1000$OQ8ZzUkQhe2Ks1Jb$DUu7zNYbuLyAhNvUkW4drn1JboKGw/TP9sPPEfSzoOvtC1gIpque.OYaMWmSdWvUNalgGu8YIOCvDI2.a7GNA."],
  ["🔐 emoji key 🔑", "$5$rounds=1000$OQ8ZzUkQhe2Ks1Jb$DfUoBFYz.wznDJkr6Od9mCy36BPexYGnhoeesqMjws8"],
  ["🔐 emoji key 🔑", "$6$rounds=1000$OQ8ZzUkQhe2Ks1Jb$U7m8XywHvZKAAobfX9O9XjIJQeoM.OSBNMj0.Paj8Zcy.mThsED./Ah0Uj3ZziP20jPd9QrDqA6o2DsQC3ken."],
];

void describe("sha-crypt", () => {
  void it("reproduces every test vector of the specification", async () => {
    for (const [password, setting, expected] of SPEC_VECTORS) {
      // Read the setting as crypt(3) does: rounds clamped to 1000+, salt cut to 16 characters.
      const [, id, ...rest] = setting.split("$");
      const roundsField = rest[0]?.startsWith("rounds=") ? rest.shift() : undefined;
      const rounds = roundsField ? Math.max(1000, Number(roundsField.slice(7))) : 5000;
      const salt = (rest[0] ?? "").slice(0, 16);
      const checksum = await computeShaCryptChecksum({ variant: id === "5" ? "5" : "6", rounds, salt }, password);
      assert.equal(checksum, expected.slice(expected.lastIndexOf("$") + 1), setting);
    }
  });

  void it("verifies the specification's hashes and rejects a wrong password", async () => {
    // The expensive vectors (77777 and 123456 rounds) were computed above already.
    for (const [password, , hash] of SPEC_VECTORS.filter(([, setting]) => !/rounds=(77777|123456)/.test(setting))) {
      assert.equal(await verifyShaCrypt(hash, password), "match", hash);
      assert.equal(await verifyShaCrypt(hash, `${password}!`), "mismatch", hash);
    }
  });

  void it("verifies hashes from passlib's docs and from libxcrypt, including digest-size password lengths", async () => {
    for (const [password, hash] of INDEPENDENT_VECTORS) {
      assert.equal(await verifyShaCrypt(hash, password), "match", hash);
      assert.equal(await verifyShaCrypt(hash, password.slice(0, -1)), "mismatch", hash);
    }
  });

  void it("verifies a passlib custom_app_context-style sha512_crypt hash (656000 rounds)", async () => {
    const hash =
      "$6$rounds=656000$jQ4cVbTz8kLmNp2R$B2/VkBMFAmkb6r85c2u2Y/aphagVP2mffUNC/wysqivcfYoRVOB.SYvP0avVka4dOcZSqX6ntu.katQK58j070";
    // The rounds loop yields between slices: timers keep firing while it runs.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      assert.equal(await verifyShaCrypt(hash, "correct horse battery staple"), "match");
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 5, `event loop ran ${ticks} timer ticks during verification`);
  });

  void it("treats implicit and explicit default rounds alike", async () => {
    const implicit = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
    const explicit = implicit.replace("$6$", "$6$rounds=5000$");
    assert.equal(await verifyShaCrypt(explicit, "Hello world!"), "match");
  });

  void it("rejects malformed strings without computing", async () => {
    const good = "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5";
    const malformed = [
      "",
      "$5$",
      "$5$saltstring$",
      good.slice(0, -1), // checksum one character short
      `${good}x`, // one too long
      good.replace("$5$", "$6$"), // $6$ needs 86 characters
      good.replace("saltstring", "salt_string"), // "_" is outside the hash64 alphabet
      good.replace("saltstring", "saltstringsaltstr"), // 17-character salt
      good.replace("$5$", "$5$rounds=05000$"), // zero-padded rounds
      good.replace("$5$", "$5$rounds=$"),
      good.replace("$5$", `$5$rounds=${SHA_CRYPT_MAX_ROUNDS + 1}$`),
      good.replace("$5$", "$7$"),
    ];
    for (const hash of malformed) {
      assert.equal(parseShaCryptHash(hash), null, hash);
      assert.equal(await verifyShaCrypt(hash, "Hello world!"), "malformed", hash);
    }
  });

  void it("parses rounds, salt and checksum", () => {
    assert.deepEqual(parseShaCryptHash("$5$rounds=12345$q3hvJE5mn5jKRsW.$BbbYTFiaImz9rTy03GGi.Jf9YY5bmxN0LU3p3uI1iUB"), {
      variant: "5",
      rounds: 12345,
      salt: "q3hvJE5mn5jKRsW.",
      checksum: "BbbYTFiaImz9rTy03GGi.Jf9YY5bmxN0LU3p3uI1iUB",
    });
    assert.equal(parseShaCryptHash("$6$rounds=10$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.")?.rounds, 1000);
  });
});

void describe("sha-crypt cost bounds", () => {
  void it("refuses passwords longer than the bound without hashing them (cost is rounds x length)", async () => {
    const long = "p".repeat(SHA_CRYPT_MAX_PASSWORD_BYTES + 1);
    const checksum = await computeShaCryptChecksum({ variant: "6", rounds: 1000, salt: "saltsalt" }, long);
    assert.equal(await verifyShaCrypt(`$6$rounds=1000$saltsalt$${checksum}`, long), "mismatch");
    const fits = "p".repeat(SHA_CRYPT_MAX_PASSWORD_BYTES);
    const fitting = await computeShaCryptChecksum({ variant: "6", rounds: 1000, salt: "saltsalt" }, fits);
    assert.equal(await verifyShaCrypt(`$6$rounds=1000$saltsalt$${fitting}`, fits), "match");
  });
});

import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import {
  CHECKSUM_FILE,
  LIST_FILE,
  SOURCE_FILE,
  buildCommonPasswordList,
  formatChecksum,
} from "../../../scripts/generate-common-passwords.js";

const DIST_LIST_FILE = new URL("../../../dist/core/passwords/common-passwords/common-passwords.txt", import.meta.url);

void describe("the common-password data file", () => {
  const listText = readFileSync(LIST_FILE, "utf8");

  void it("matches its recorded SHA-256", () => {
    const recorded = readFileSync(CHECKSUM_FILE, "utf8");
    assert.match(recorded, /^[0-9a-f]{64} {2}common-passwords\.txt\n$/);
    assert.equal(createHash("sha256").update(listText, "utf8").digest("hex"), recorded.slice(0, 64));
  });

  void it("is exactly what the generator makes from the committed source", () => {
    const generated = buildCommonPasswordList(readFileSync(SOURCE_FILE, "utf8"));
    assert.ok(generated === listText, "stale: run npx tsx scripts/generate-common-passwords.ts");
    assert.equal(formatChecksum(generated), readFileSync(CHECKSUM_FILE, "utf8"));
  });

  void it("holds 10,000 passwords of 8+ characters and the short ones among the 1,000 most common, once each", () => {
    const entries = listText.split("\n").slice(0, -1);
    assert.equal(new Set(entries).size, entries.length);
    assert.equal(entries.filter((entry) => [...entry].length >= 8).length, 10_000);
    assert.deepEqual(entries.slice(0, 3), ["123456", "password", "12345678"]);
    for (const entry of entries) assert.equal(entry, entry.normalize("NFKC").toLowerCase());
  });

  void it("refuses a source too short for the selection", () => {
    assert.throws(() => buildCommonPasswordList("123456\npassword\n"), /only 1 passwords/);
  });

  // npm test builds dist/ before the tests: the copy there is what an installed package reads.
  void it("is copied unchanged into dist/", { skip: existsSync(DIST_LIST_FILE) ? false : "dist/ not built (npm run build)" }, () => {
    assert.ok(readFileSync(DIST_LIST_FILE, "utf8") === listText, "dist/ holds another list: run npm run build");
  });
});

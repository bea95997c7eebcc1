import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";

// The package ships its docs and examples (package.json "files"): every relative link in them
// must land on a file the tarball holds, and no text may send a reader to the sources or to
// the workspace around the repository, which the tarball does not hold. Absolute https links
// (to the repository, to RFCs) are fine.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const MARKDOWN_FILES = [
  "README.md",
  ...readdirSync(posix.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
  "examples/README.md",
];

interface PackedFile {
  path: string;
}

/** What `npm pack` would put in the tarball, without running the build (`prepare`). */
function shippedFiles(): Set<string> {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [report] = JSON.parse(output) as [{ files: PackedFile[] }];
  return new Set(report.files.map((file) => file.path));
}

/** Markdown with fenced code blocks blanked (lines kept, so line numbers stay right): code is not a link. */
function withoutCodeBlocks(text: string): string {
  let fenced = false;
  return text
    .split("\n")
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return "";
      }
      return fenced ? "" : line.replace(/`[^`]*`/g, "``");
    })
    .join("\n");
}

interface Link {
  line: number;
  target: string;
}

function findLinks(text: string): Link[] {
  const links: Link[] = [];
  withoutCodeBlocks(text)
    .split("\n")
    .forEach((line, index) => {
      // [text](target "title") and reference definitions [id]: target
      for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line: index + 1, target: match[1] ?? "" });
      for (const match of line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)) links.push({ line: index + 1, target: match[1] ?? "" });
      for (const match of line.matchAll(/<a\s[^>]*href="([^"]+)"/g)) links.push({ line: index + 1, target: match[1] ?? "" });
    });
  return links;
}

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

void describe("the shipped Markdown", () => {
  const shipped = shippedFiles();

  void it("ships the docs, the examples and every file it lists", () => {
    for (const file of MARKDOWN_FILES) assert.ok(shipped.has(file), `${file} is not in the tarball`);
    assert.ok(shipped.has("docs/http-api.md"));
  });

  void it("links only to files the tarball holds", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of MARKDOWN_FILES) {
      for (const { line, target } of findLinks(readFileSync(posix.join(ROOT, file), "utf8"))) {
        if (ABSOLUTE.test(target) || target.startsWith("#")) continue;
        checked++;
        const path = posix.normalize(posix.join(posix.dirname(file), decodeURIComponent(target.replace(/[#?].*$/, ""))));
        const lands = shipped.has(path) || [...shipped].some((entry) => entry.startsWith(`${path.replace(/\/$/, "")}/`));
        if (path.startsWith("../") || !lands) broken.push(`${file}:${line}: ${target} (${path} is not in the package)`);
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(checked > 20, `only ${checked} relative links found: is the link parser broken?`);
  });

  void it("does not point at the sources or outside the repository, in links or text", () => {
    const offending: string[] = [];
    for (const file of MARKDOWN_FILES) {
      readFileSync(posix.join(ROOT, file), "utf8")
        .split("\n")
        .forEach((line, index) => {
          const text = line.replace(/https:\/\/\S+/g, "");
          // src/ is not in the tarball at all; ../shared is the workspace around the repository.
          if (/(^|[^\w.-])(\.\.?\/)*src\//.test(text)) offending.push(`${file}:${index + 1}: names a src/ path: ${line.trim()}`);
          if (/\.\.\/shared\/|(^|[^\w.-])shared\/(spec|seeds)\b/.test(text)) offending.push(`${file}:${index + 1}: points outside the repository: ${line.trim()}`);
        });
    }
    assert.deepEqual(offending, []);
  });
});

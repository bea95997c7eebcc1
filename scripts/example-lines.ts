// `npm run example:lines`: the code lines (non-blank, non-comment) of each example beside the
// tutorial it rebuilds, and the totals. Targets: at most 130 lines an example, 520 together.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const EXAMPLES_DIR = fileURLToPath(new URL("../examples/", import.meta.url));
const MAX_LINES = 130;
const MAX_TOTAL = 520;

/**
 * The tutorials' Python, counted the same way (non-blank lines not starting with `#`) over the
 * code they show for the API: the Udacity and microblog tutorials' Python listings (shell
 * sessions and HTTP output left out), the Flask-JWT tutorial's final complete app, and the
 * api-token tutorial's authentication module (unfenced in its text, so counted by hand). The
 * courses tutorial is a video transcript without code. The texts are not in this repository, so
 * the figures are kept here.
 */
const TUTORIALS: Readonly<Record<string, { title: string; lines: number | null }>> = {
  "signed-token-basic": { title: "Udacity: Implementing Token Based Authentication", lines: 39 },
  "microblog-api": { title: "API Authentication in Flask (microblog API)", lines: 76 },
  "courses-multiauth": { title: "Treehouse: Flask REST API, tokens and MultiAuth (video)", lines: null },
  "flask-jwt-posts": { title: "Securing an API with JSON Web Tokens (Flask-JWT)", lines: 138 },
  "api-token-header": { title: "Alarming Authentication (api-token header)", lines: 69 },
};

/** Lines that are neither blank nor only a comment (`//`, or inside `/* ... *\/`). */
function countCodeLines(source: string): number {
  let count = 0;
  let inBlock = false;
  for (const raw of source.split("\n")) {
    const line = raw.trim();
    if (inBlock) {
      inBlock = !line.includes("*/");
      continue;
    }
    if (line.startsWith("/*")) {
      inBlock = !line.includes("*/");
      continue;
    }
    if (line !== "" && !line.startsWith("//")) count++;
  }
  return count;
}

const names = readdirSync(EXAMPLES_DIR)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.slice(0, -".ts".length))
  .sort();
const rows = names.map((name) => ({
  name,
  lines: countCodeLines(readFileSync(`${EXAMPLES_DIR}${name}.ts`, "utf8")),
  tutorial: TUTORIALS[name] ?? { title: "?", lines: null },
}));
const total = rows.reduce((sum, row) => sum + row.lines, 0);
const tutorialTotal = rows.reduce((sum, row) => sum + (row.tutorial.lines ?? 0), 0);
const width = Math.max(...names.map((name) => name.length), "total".length);

console.log(`${"example".padEnd(width)}  example  tutorial  tutorial title`);
for (const row of rows) {
  const over = row.lines > MAX_LINES ? `  (over ${MAX_LINES})` : "";
  console.log(`${row.name.padEnd(width)}  ${String(row.lines).padStart(7)}  ${String(row.tutorial.lines ?? "none").padStart(8)}  ${row.tutorial.title}${over}`);
}
const overTotal = total > MAX_TOTAL ? `  (over ${MAX_TOTAL})` : "";
console.log(`${"total".padEnd(width)}  ${String(total).padStart(7)}  ${String(tutorialTotal).padStart(8)}${overTotal}`);

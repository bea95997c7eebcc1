// `npm run bench:docs -- bench/results/<timestamp>.json`: renders docs/benchmarks.md and the
// chart next to the result file again from an existing result file (after editing
// bench/analysis.md, or to publish a run made elsewhere), without measuring anything.
import { readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { renderRatioChart } from "./lib/chart.js";
import { REPO_ROOT } from "./lib/processes.js";
import { DOCS_CHART, renderBenchmarksMarkdown } from "./lib/report.js";
import type { BenchResults } from "./lib/types.js";

const file = process.argv[2];
if (file === undefined) {
  console.error("usage: npm run bench:docs -- bench/results/<timestamp>.json");
  process.exit(2);
}
const path = resolve(file);
const results = JSON.parse(await readFile(path, "utf8")) as BenchResults;
if (results.schemaVersion !== 2) {
  console.error(`${file}: schemaVersion ${String(results.schemaVersion)}; this renderer reads version 2 (npm run bench writes it)`);
  process.exit(1);
}
await writeFile(path.replace(/\.json$/, ".svg"), renderRatioChart(results));
await writeFile(join(REPO_ROOT, "docs", DOCS_CHART), renderRatioChart(results));
await writeFile(join(REPO_ROOT, "docs", "benchmarks.md"), renderBenchmarksMarkdown(results, relative(REPO_ROOT, path)));
console.log("docs/benchmarks.md and the chart regenerated");

// `tsc` emits only JavaScript and declarations; this copies every other file under src/ (the
// generated common-password list and its checksum) to the same place under dist/, where the
// compiled modules look for it next to themselves. Run by `npm run build` (and `prepare`).
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const sourceRoot = join(root, "src");
const outputRoot = join(root, "dist");

function assets(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return assets(path);
    return entry.name.endsWith(".ts") ? [] : [path];
  });
}

const copied = assets(sourceRoot).map((source) => {
  const target = join(outputRoot, relative(sourceRoot, source));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  return relative(root, target);
});
console.log(`copy-assets: ${copied.length} file(s) to dist/ (${copied.join(", ")})`);

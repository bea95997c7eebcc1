// Builds the web console (console/) into dist/console/, which `tessera serve` serves at /console:
// esbuild bundles the Preact TSX into one minified ES module, and the page and the stylesheet are
// copied beside it. Run by `npm run build` (and so by `npm install`'s `prepare`); everything comes
// from the repository and node_modules, nothing from the network.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const source = join(root, "console");
const output = join(root, "dist", "console");

rmSync(output, { recursive: true, force: true });
mkdirSync(join(output, "assets"), { recursive: true });

const result = await build({
  entryPoints: [join(source, "src", "main.tsx")],
  outfile: join(output, "assets", "console.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  minify: true,
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "eof",
  logLevel: "warning",
  metafile: true,
});
copyFileSync(join(source, "index.html"), join(output, "index.html"));
copyFileSync(join(source, "console.css"), join(output, "assets", "console.css"));

const bytes = Object.values(result.metafile.outputs).reduce((sum, file) => sum + file.bytes, 0);
console.log(`build-console: dist/console/ (console.js ${(bytes / 1024).toFixed(1)} KiB, console.css, index.html)`);

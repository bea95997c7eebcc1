import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One built file of the console, held in memory. */
export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

/** The built console: `index.html` and the files under `assets/`, keyed by their name there. */
export interface ConsoleAssets {
  index: ConsoleAsset;
  files: ReadonlyMap<string, ConsoleAsset>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Where `npm run build` (and so `npm install`'s `prepare`) writes the console: `dist/console/`
 * of the package. This module is `src/server/console-assets.ts` in a checkout and
 * `dist/server/console-assets.js` in the package, two levels below the package root in both.
 */
export const CONSOLE_BUILD_DIR = fileURLToPath(new URL("../../dist/console/", import.meta.url));

/**
 * Reads the built console once, at start: a fixed set of files served from memory, so no
 * request path ever reaches the file system. Null when the console has not been built.
 *
 * @example
 * const assets = loadConsoleAssets(); // null in a checkout before `npm run build`
 */
export function loadConsoleAssets(dir: string = CONSOLE_BUILD_DIR): ConsoleAssets | null {
  const indexPath = join(dir, "index.html");
  if (!existsSync(indexPath)) return null;
  const files = new Map<string, ConsoleAsset>();
  const assetsDir = join(dir, "assets");
  if (existsSync(assetsDir)) {
    for (const entry of readdirSync(assetsDir, { withFileTypes: true })) {
      const contentType = CONTENT_TYPES[extname(entry.name)];
      // Source maps and anything unexpected stay unserved.
      if (!entry.isFile() || contentType === undefined) continue;
      files.set(entry.name, { body: readFileSync(join(assetsDir, entry.name)), contentType });
    }
  }
  return { index: { body: readFileSync(indexPath), contentType: CONTENT_TYPES[".html"] ?? "text/html" }, files };
}

// The package as a newcomer gets it: `npm pack`, then `npm install <tarball> express` into an
// empty project from the real registry. Checks that none of the server's, other frameworks' or
// the build's packages come along, prints what the install weighs, and runs the README's
// Express example (the code block after `<!-- pack-smoke: express -->`) against one real
// request (`<!-- pack-smoke-expect: GET /api/notes 401 -->`).
//
//   npx tsx scripts/pack-smoke.ts      (npm test runs it last, after building dist/)
//
// Without the registry it skips with a message, unless CI=true, where it fails.
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Packages an app that uses the library with Express must not receive. */
export const UNWANTED_PACKAGES = ["fastify", "pg", "ioredis", "tsx", "esbuild", "hono"] as const;
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** The README's marked Express example and the request to make against it. */
export interface SmokeExample {
  /** The code block after the marker; must be plain JavaScript (ESM), which Node 20 runs as is. */
  code: string;
  language: string;
  method: string;
  path: string;
  status: number;
}

/**
 * Finds the block marked `<!-- pack-smoke: express -->` and the request in
 * `<!-- pack-smoke-expect: METHOD PATH STATUS -->`; null when the README has no marker yet.
 * Throws when a marker is there but malformed.
 *
 * @example
 * readSmokeExample(readFileSync("README.md", "utf8"))?.path; // "/api/notes"
 */
export function readSmokeExample(readme: string): SmokeExample | null {
  const marker = readme.indexOf("<!-- pack-smoke: express -->");
  if (marker === -1) return null;
  const block = /^[ \t]*```([\w-]*)[ \t]*\n([\s\S]*?)\n[ \t]*```/m.exec(readme.slice(marker));
  if (!block) throw new Error("README: no code block after <!-- pack-smoke: express -->");
  const expect = /<!--\s*pack-smoke-expect:\s*([A-Z]+)\s+(\/\S*)\s+(\d{3})\s*-->/.exec(readme);
  if (!expect) throw new Error("README: <!-- pack-smoke: express --> without <!-- pack-smoke-expect: METHOD PATH STATUS -->");
  return { language: block[1] ?? "", code: `${block[2] ?? ""}\n`, method: expect[1] ?? "GET", path: expect[2] ?? "/", status: Number(expect[3]) };
}

interface Installed {
  /** Every package directory under node_modules, nested ones included, by name. */
  packages: string[];
  bytes: number;
}

/** Walks node_modules: package names (scoped ones as `@scope/name`) and the bytes of every file. */
export function surveyNodeModules(dir: string): Installed {
  const packages: string[] = [];
  let bytes = 0;
  const walkFiles = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walkFiles(join(path, entry));
    else bytes += stat.size;
  };
  const walkPackages = (modules: string, scope = ""): void => {
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const path = join(modules, entry.name);
      if (!scope && entry.name.startsWith("@")) {
        walkPackages(path, entry.name);
        continue;
      }
      packages.push(scope ? `${scope}/${entry.name}` : entry.name);
      const nested = join(path, "node_modules");
      if (existsSync(nested)) walkPackages(nested);
    }
  };
  walkPackages(dir);
  walkFiles(dir);
  return { packages, bytes };
}

/** Which of {@link UNWANTED_PACKAGES} (or their platform packages, `@esbuild/*`) were installed. */
export function findUnwanted(packages: readonly string[]): string[] {
  const hits = packages.filter((name) => (UNWANTED_PACKAGES as readonly string[]).includes(name) || name.startsWith("@esbuild/"));
  return [...new Set(hits)].sort();
}

interface Run {
  status: number | null;
  output: string;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output }));
  });
}

async function registryReachable(): Promise<boolean> {
  const ping = await run("npm", ["ping"], ROOT, 30_000).catch(() => ({ status: 1, output: "" }));
  return ping.status === 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the example with PORT set, makes the one request, checks the problem+json 401 and its challenge. */
export async function runExample(example: SmokeExample, project: string): Promise<void> {
  if (!/^(js|javascript|mjs)$/i.test(example.language)) {
    throw new Error(`the README block after <!-- pack-smoke: express --> is \`${example.language || "untagged"}\`; it must be plain JavaScript (Node 20 cannot run TypeScript)`);
  }
  writeFileSync(join(project, "app.mjs"), example.code);
  const port = await freePort();
  const child = spawn(process.execPath, ["app.mjs"], { cwd: project, env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  let exited = false;
  child.on("exit", () => (exited = true));
  try {
    const url = `http://127.0.0.1:${port}${example.path}`;
    const deadline = Date.now() + 30_000;
    let response: Response | undefined;
    while (!response) {
      if (exited) throw new Error(`the example exited before listening:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the example did not listen on PORT=${port} within 30 s:\n${output}`);
      response = await fetch(url, { method: example.method }).catch(() => undefined);
      if (!response) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const contentType = response.headers.get("content-type") ?? "";
    const challenge = response.headers.get("www-authenticate") ?? "";
    const body = await response.text();
    const problems = [
      response.status === example.status ? "" : `status ${response.status}, expected ${example.status}`,
      contentType.startsWith("application/problem+json") ? "" : `content-type "${contentType}", expected application/problem+json`,
      challenge !== "" ? "" : "no WWW-Authenticate header",
    ].filter((problem) => problem !== "");
    if (problems.length > 0) throw new Error(`${example.method} ${example.path}: ${problems.join("; ")}\nbody: ${body}\n${output}`);
    console.log(`pack-smoke: ${example.method} ${example.path} -> ${response.status} problem+json, WWW-Authenticate: ${challenge}`);
  } finally {
    child.kill();
  }
}

async function main(): Promise<number> {
  if (!existsSync(join(ROOT, "dist", "index.js"))) {
    console.error("pack-smoke: dist/ is not built; run npm run build first");
    return 1;
  }
  if (!(await registryReachable())) {
    if (process.env["CI"] === "true") {
      console.error("pack-smoke: the npm registry is not reachable (npm ping failed); CI needs it");
      return 1;
    }
    console.log("# skipped: pack smoke test (the npm registry is not reachable: npm ping failed)");
    return 0;
  }
  const work = mkdtempSync(join(tmpdir(), "tessera-pack-smoke-"));
  try {
    // dist/ is current: npm test has just built it, so the build scripts need not run again.
    const pack = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT, 120_000);
    if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.output}`);
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    if (!tarball) throw new Error("npm pack wrote no tarball");
    const project = join(work, "app");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "tessera-pack-smoke", private: true, type: "module" }, null, 2)}\n`);
    console.log(`pack-smoke: npm install ${tarball} express (in an empty project)`);
    const install = await run("npm", ["install", join(work, tarball), "express", "--no-audit", "--no-fund"], project, INSTALL_TIMEOUT_MS);
    if (install.status !== 0) throw new Error(`npm install failed:\n${install.output}`);
    if (install.output.includes("EBADENGINE")) console.warn(`pack-smoke: warning: the install printed EBADENGINE:\n${install.output}`);

    const installed = surveyNodeModules(join(project, "node_modules"));
    const unwanted = findUnwanted(installed.packages);
    console.log(`pack-smoke: node_modules holds ${new Set(installed.packages).size} packages, ${(installed.bytes / 1024 / 1024).toFixed(1)} MB`);
    if (unwanted.length > 0) throw new Error(`node_modules holds packages an Express app must not get: ${unwanted.join(", ")}`);

    const example = readSmokeExample(readFileSync(join(ROOT, "README.md"), "utf8"));
    if (example === null) console.log("# skipped: README example run (README.md has no <!-- pack-smoke: express --> block yet)");
    else await runExample(example, project);
    console.log("pack-smoke: ok");
    return 0;
  } catch (error) {
    console.error(`pack-smoke: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Run only when executed, so the test can import the functions above.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();

// Runs a snippet in a fresh Node process and reports every module, native addon and file it
// loaded, so a test can show what an import costs. Three vantage points, because no one of
// them sees everything on Node 20:
// - module.register() resolve/load hooks see every ES module and every CommonJS module
//   imported from ESM (they run on a separate thread, so they append to a log file, which
//   is written before the import they describe completes);
// - Module._load sees every require() inside CommonJS packages, which those hooks do not;
// - process.dlopen sees native addons, and fs read/open functions see data files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HOOKS = `
import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, "resolve " + resolved.url + "\\n");
  return resolved;
}
export async function load(url, context, next) {
  appendFileSync(log, "load " + url + "\\n");
  return next(url, context);
}
`;

const RECORDER = `
import fs from "node:fs";
import Module, { register, syncBuiltinESMExports } from "node:module";
const log = process.env.TESSERA_LOAD_LOG;
const append = fs.appendFileSync;
const record = (kind, what) => append(log, kind + " " + String(what) + "\\n");
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, import.meta.url, { data: { log } });

const load = Module._load;
Module._load = function (request, parent, isMain) {
  let filename = request;
  try { filename = Module._resolveFilename(request, parent, isMain); } catch {}
  record("require", request + " -> " + filename);
  return load.apply(this, arguments);
};
const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  record("dlopen", filename);
  return dlopen.call(this, module, filename, ...rest);
};
const watch = (target, name) => {
  const original = target[name];
  target[name] = function (path, ...rest) {
    if (typeof path === "string" || path instanceof URL) record("fs", path instanceof URL ? path.href : path);
    return original.call(this, path, ...rest);
  };
};
for (const name of ["readFileSync", "readFile", "openSync", "open", "createReadStream"]) watch(fs, name);
for (const name of ["readFile", "open"]) watch(fs.promises, name);
// ES modules bind node:fs's exports at link time; this makes them see the wrappers.
syncBuiltinESMExports();
`;

/** What {@link recordLoads} saw, one entry per event: `load file:///...`, `require x -> /path`, `dlopen /path`, `fs /path`. */
export interface LoadRecord {
  status: number | null;
  stdout: string;
  stderr: string;
  events: string[];
}

/**
 * Runs `source` (an ES module body, top-level await allowed) in a new Node process started in
 * `cwd`, with no NODE_OPTIONS, and returns everything it loaded.
 *
 * @example
 * const { events } = recordLoads('await import("tessera-auth");', process.cwd());
 */
export function recordLoads(source: string, cwd: string): LoadRecord {
  const dir = mkdtempSync(join(tmpdir(), "tessera-loads-"));
  const log = join(dir, "loads.log");
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_LOAD_LOG: log };
    delete env["NODE_OPTIONS"];
    const child = spawnSync(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(RECORDER)}`, "--input-type=module", "--eval", source],
      { cwd, env, encoding: "utf8", timeout: 60_000 },
    );
    let events: string[] = [];
    try {
      events = readFileSync(log, "utf8").split("\n").filter((line) => line !== "");
    } catch {
      // Nothing was recorded: the child failed before the recorder ran; stderr says why.
    }
    return { status: child.status, stdout: child.stdout, stderr: child.stderr, events };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

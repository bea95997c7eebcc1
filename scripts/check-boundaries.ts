// Fails when a layer imports what it must not (STYLE.md: core <- stores, http <- server <- cli).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

interface Rule {
  layer: string;
  forbidden: RegExp;
  why: string;
}

const FRAMEWORKS_AND_DRIVERS = /^(fastify|@fastify\/|fastify-plugin|express|hono|@hono\/|pg|better-sqlite3|ioredis|kysely|rate-limiter-flexible|prom-client|pino)(\/|$)/;

const rules: Rule[] = [
  { layer: "src/core", forbidden: FRAMEWORKS_AND_DRIVERS, why: "core imports no framework or driver" },
  { layer: "src/core", forbidden: /^\.\.?\/.*(stores|http|server|cli)\//, why: "core depends on nothing above it" },
  { layer: "src/stores", forbidden: /^\.\.?\/.*(http|server|cli)\//, why: "stores depend only on core" },
  { layer: "src/http", forbidden: /^\.\.?\/.*(stores|server|cli)\//, why: "http adapters depend only on core" },
  { layer: "src/server", forbidden: /^\.\.?\/.*cli\//, why: "the server does not depend on the CLI" },
  { layer: "examples", forbidden: /^\.\/(src|scripts)\//, why: "examples import Tessera by package name, as an app would" },
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const importPattern = /(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const problems: string[] = [];
for (const rule of rules) {
  for (const file of files(rule.layer)) {
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2] ?? "";
      // Relative imports are checked by where they land.
      const landing = specifier.startsWith(".") ? relative(".", join(file, "..", specifier)) : specifier;
      const target = specifier.startsWith(".") ? `./${landing}/` : specifier;
      if (rule.forbidden.test(target)) problems.push(`${file}: imports ${specifier} (${rule.why})`);
    }
    if (rule.layer === "src/core" && /process\.env/.test(source)) problems.push(`${file}: reads process.env (core never does)`);
  }
}

if (problems.length > 0) {
  console.error(`Layering check failed:\n${problems.map((problem) => `  ${problem}`).join("\n")}`);
  process.exit(1);
}
console.log("layering check: ok");

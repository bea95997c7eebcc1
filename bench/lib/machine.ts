// What the figures were measured on and with, so results from different machines are never confused.
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./processes.js";
import type { MachineInfo } from "./types.js";

/** Libraries whose versions every result file records. */
export const COMPARED_PACKAGES = [
  "autocannon",
  "fastify",
  "@fastify/jwt",
  "express",
  "passport",
  "passport-jwt",
  "hono",
  "@hono/node-server",
  "jose",
  "fast-jwt",
  "jsonwebtoken",
] as const;

/**
 * Describes this machine: CPU model, cores, memory, OS and Node version.
 *
 * @example
 * const machine = collectMachineInfo();
 */
export function collectMachineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    platform: process.platform,
    release: release(),
    arch: process.arch,
    nodeVersion: process.version,
    loadAverage1m: loadavg()[0] ?? 0,
  };
}

function readVersion(packageJsonPath: string): string {
  try {
    const parsed = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version?: unknown };
    return typeof parsed.version === "string" ? parsed.version : "unknown";
  } catch {
    return "not installed";
  }
}

/**
 * Installed versions of the compared libraries plus Tessera's own, read from node_modules.
 *
 * @example
 * readPackageVersions(); // { tessera: "0.1.0", fastify: "5.12.8", ... }
 */
export function readPackageVersions(): Record<string, string> {
  const versions: Record<string, string> = { tessera: readVersion(join(REPO_ROOT, "package.json")) };
  // Read the files directly: some packages do not export ./package.json.
  for (const name of COMPARED_PACKAGES) versions[name] = readVersion(join(REPO_ROOT, "node_modules", name, "package.json"));
  return versions;
}

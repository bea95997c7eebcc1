import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { hidePackagesArgs } from "./hide-packages.js";

// fastify, ioredis and the other server packages are optional peers: an install of
// tessera-auth alone lacks them. The CLI and the server must then stop with one line that
// says what to install. Runs dist/ (npm test builds it), as an installed package would.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function runHidden(hidden: readonly string[], args: readonly string[], env: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TESSERA_LOG_LEVEL: "silent", ...env };
  delete childEnv["NODE_OPTIONS"];
  const child = spawnSync(process.execPath, [...hidePackagesArgs(hidden), ...args], { cwd: ROOT, env: childEnv, encoding: "utf8", timeout: 60_000 });
  return { status: child.status, stdout: child.stdout, stderrLines: child.stderr.split("\n").filter((line) => line !== "") };
}

void describe("an install without the optional peers", () => {
  void it("tessera serve names the server packages to install, in one line", () => {
    const result = runHidden(["fastify", "prom-client"], ["dist/cli/main.js", "serve"], { TESSERA_DATABASE_URL: "sqlite::memory:", PORT: "0" });
    assert.deepEqual(result.stderrLines, ['tessera: install the packages "tessera serve" needs: npm install fastify prom-client']);
    assert.equal(result.status, 1);
  });

  void it("tessera users names ajv-formats; commands that need no peer still run", () => {
    const users = runHidden(["ajv-formats"], ["dist/cli/main.js", "users", "list"], { TESSERA_DATABASE_URL: "sqlite::memory:" });
    assert.deepEqual(users.stderrLines, ['tessera: install the packages "tessera users" needs: npm install ajv-formats']);
    const help = runHidden(["fastify", "ajv-formats"], ["dist/cli/main.js", "--help"]);
    assert.equal(help.status, 0, help.stderrLines.join("\n"));
  });

  void it("a redis:// URL without ioredis stops the server with one line naming it", () => {
    const result = runHidden(["ioredis"], ["dist/cli/main.js", "serve"], {
      TESSERA_DATABASE_URL: "sqlite::memory:",
      TESSERA_REDIS_URL: "redis://127.0.0.1:1",
      PORT: "0",
    });
    assert.equal(result.stderrLines.length, 1, result.stderrLines.join("\n"));
    assert.ok(result.stderrLines[0]?.includes('install the "ioredis" package to use TESSERA_REDIS_URL (npm install ioredis)'), result.stderrLines[0]);
    assert.equal(result.status, 1);
  });

  void it("bin/tessera.mjs runs dist/ when tsx is not installed", () => {
    const result = runHidden(["tsx"], ["bin/tessera.mjs", "--version"]);
    assert.deepEqual([result.status, result.stdout.trim(), result.stderrLines], [0, "0.1.0", []]);
  });
});

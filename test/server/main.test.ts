import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const bin = join(import.meta.dirname, "..", "..", "bin", "tessera.mjs");

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, "serve"], { env: { ...process.env, TESSERA_LOG_LEVEL: "silent", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe("tessera serve", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-serve-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("listens, serves, and drains on SIGTERM with exit 0", async () => {
    const server = run({ PORT: "0", TESSERA_DATABASE_URL: `sqlite:${join(dir, "db", "tessera.db")}` });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listen line: ${JSON.stringify(server.output())}`)), 20_000);
      server.child.stdout.on("data", () => {
        const match = /listening on (http:\/\/\S+)/.exec(server.output().stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
  });

  it("refuses a bad value with one line naming the variable and exit code 2", async () => {
    const server = run({ PORT: "0", TESSERA_ACCESS_TOKEN_TTL: "forever", TESSERA_DATABASE_URL: "sqlite::memory:" });
    assert.equal(await server.exited, 2);
    const lines = server.output().stderr.trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", /TESSERA_ACCESS_TOKEN_TTL/);
  });
});

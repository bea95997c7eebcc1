import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { makeDatabaseUrl } from "./helpers.js";

const BIN = fileURLToPath(new URL("../../bin/tessera.mjs", import.meta.url));

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real executable in a child process, with stdin piped (and closed after `input`). */
function runBin(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? "", ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      timeout: 30_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

void describe("bin/tessera.mjs", () => {
  void it("is wired to the CLI: help, exit codes, stdin and the database flag", async () => {
    const help = await runBin(["--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: tessera <command>/);

    const unknown = await runBin(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);

    const databaseUrl = makeDatabaseUrl();
    const created = await runBin(["users", "create", "ada", "--database", databaseUrl], { input: "correct horse battery\n" });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^\d+\n$/);

    const listed = await runBin(["users", "list", "--database", databaseUrl]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+USERNAME/);
    assert.match(listed.stdout, /\n1\s+ada\s+-\s+no\s/);

    // The environment variable works as well as the flag.
    const fromEnv = await runBin(["users", "list", "--json"], { env: { TESSERA_DATABASE_URL: databaseUrl } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual((JSON.parse(fromEnv.stdout) as { username: string }[]).map((user) => user.username), ["ada"]);
  });

  void it("serves until SIGTERM, then exits 0", async () => {
    const child = spawn(process.execPath, [BIN, "serve"], {
      env: { PATH: process.env.PATH ?? "", PORT: "0", TESSERA_DATABASE_URL: makeDatabaseUrl(), TESSERA_LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 30_000,
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
  });

  void it("serve exits 2 on a bad setting", async () => {
    const result = await runBin(["serve"], { env: { TESSERA_JWT_ALG: "none", TESSERA_DATABASE_URL: makeDatabaseUrl() } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /TESSERA_JWT_ALG/);
  });
});

// `npm run example -- <name>` (scripts/run-example.ts) and examples run directly, as processes.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { listExamples } from "../../scripts/run-example.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NAMES = ["api-token-header", "courses-multiauth", "flask-jwt-posts", "microblog-api", "signed-token-basic"];

function runSync(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
}

/** Starts a script, waits for its "listening on" line, and returns the URL and the process. */
async function startProcess(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)));
  });
  return { child, url, output: () => stdout };
}

describe("scripts/run-example.ts", () => {
  it("knows the five examples", () => {
    assert.deepEqual(listExamples(), NAMES);
  });

  it("without a name, or with an unknown one, lists the names and exits 2", () => {
    for (const args of [[], ["../package"]]) {
      const result = runSync(["scripts/run-example.ts", ...args]);
      assert.equal(result.status, 2);
      for (const name of NAMES) assert.match(result.stderr, new RegExp(`^  ${name}$`, "m"));
    }
  });

  it("refuses a bad PORT with one line and exit 2", () => {
    const result = runSync(["scripts/run-example.ts", "signed-token-basic"], { PORT: "http" });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /PORT/);
  });

  it("starts an example on PORT and HOST, says keys live in memory, and stops on SIGTERM", async () => {
    const { child, url, output } = await startProcess(["scripts/run-example.ts", "signed-token-basic"], { PORT: "0", HOST: "127.0.0.1" });
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/protected-resource`);
      assert.equal(res.status, 401);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(output(), /in memory/);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
  });

  it("an example run directly starts itself", async () => {
    const { child, url } = await startProcess(["examples/api-token-header.ts"], { PORT: "0" });
    try {
      const res = await fetch(`${url}/api/v1/users/me`);
      assert.equal(res.status, 401);
    } finally {
      child.kill("SIGTERM");
    }
    await once(child, "exit");
  });
});

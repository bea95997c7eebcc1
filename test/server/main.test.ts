import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { describeListenError } from "../../src/server/main.js";
import { requireTestPostgres } from "../support/postgres.js";

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

/** Runs `tessera serve` to its exit; resolves to the exit code and the one line it must print on stderr. */
async function failedStart(env: Record<string, string>): Promise<{ code: number | null; line: string }> {
  const server = run({ PORT: "0", TESSERA_DATABASE_URL: "sqlite::memory:", ...env });
  const code = await server.exited;
  const { stdout, stderr } = server.output();
  assert.equal(stdout, "", "nothing on stdout: the server never listened");
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line, no stack trace: ${stderr}`);
  return { code, line: lines[0] ?? "" };
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

  it("refuses a HOST that is neither an address nor a host name before looking it up: exit 2, naming HOST", async () => {
    for (const host of ["999.999.1.1", "not_a_host"]) {
      const { code, line } = await failedStart({ HOST: host });
      assert.equal(code, 2, host);
      assert.match(line, /^tessera: invalid configuration: HOST: /);
    }
  });

  it("names PORT when the port is already in use: exit 1", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const address = taken.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const { code, line } = await failedStart({ PORT: String(port), HOST: "127.0.0.1" });
      assert.equal(code, 1);
      assert.equal(line, `tessera: could not start: PORT: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("names HOST when the address is not this machine's (EADDRNOTAVAIL) or does not resolve: exit 1", async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737), never assigned to a machine; .invalid never resolves (RFC 6761).
    const notHere = await failedStart({ HOST: "192.0.2.1" });
    assert.equal(notHere.code, 1);
    assert.equal(notHere.line, "tessera: could not start: HOST: 192.0.2.1 is not an address of this machine");
    const unknown = await failedStart({ HOST: "tessera-no-such-host.invalid" });
    assert.equal(unknown.code, 1);
    assert.match(unknown.line, /^tessera: could not start: HOST: cannot resolve the host name "tessera-no-such-host\.invalid"/);
  });

  it("names PORT when listening needs privileges, and leaves other listen errors as they are", () => {
    const config = { host: "0.0.0.0", port: 80 };
    const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
    assert.equal(describeListenError(failure("EACCES"), config)?.message, "PORT: permission denied to listen on port 80 on 0.0.0.0 (ports below 1024 usually need privileges)");
    assert.equal(describeListenError(failure("EAI_AGAIN"), config)?.variable, "HOST");
    assert.equal(describeListenError(failure("EMFILE"), config), null);
    assert.equal(describeListenError("not an error", config), null);
  });

  it("names the variable of a value loadConfig refuses: TESSERA_TRUST_PROXY, TESSERA_AUDIENCE, TESSERA_REDIS_URL", async () => {
    const cases: Record<string, string> = { TESSERA_TRUST_PROXY: "999.1.1.1", TESSERA_AUDIENCE: " ", TESSERA_REDIS_URL: "redis://127.0.0.1:6379?db=abc" };
    for (const [variable, value] of Object.entries(cases)) {
      const { code, line } = await failedStart({ [variable]: value });
      assert.equal(code, 2, variable);
      assert.match(line, new RegExp(`^tessera: invalid configuration: ${variable}: `));
    }
  });

  it("starts with TESSERA_REFRESH_REUSE_GRACE=0", async () => {
    const server = run({ PORT: "0", TESSERA_DATABASE_URL: "sqlite::memory:", TESSERA_REFRESH_REUSE_GRACE: "0" });
    await new Promise<void>((resolve, reject) => {
      server.child.stdout.on("data", () => {
        if (server.output().stdout.includes("listening on")) resolve();
      });
      void server.exited.then((code) => reject(new Error(`exited ${code}: ${server.output().stderr}`)));
    });
    server.child.kill("SIGTERM");
    assert.equal(await server.exited, 0);
  });

  it("names TESSERA_DATABASE_URL, never its value, when the database cannot be opened: exit 1", async () => {
    const sqlite = await failedStart({ TESSERA_DATABASE_URL: "sqlite:/proc/tessera.db" });
    assert.equal(sqlite.code, 1);
    assert.match(sqlite.line, /^tessera: could not start: TESSERA_DATABASE_URL: the database is unavailable \(.+\)$/);
    // Nothing listens on port 1; the password must not reach the terminal.
    const postgres = await failedStart({ TESSERA_DATABASE_URL: "postgres://tessera:s3cret-pw@127.0.0.1:1/tessera" });
    assert.equal(postgres.code, 1);
    assert.match(postgres.line, /^tessera: could not start: TESSERA_DATABASE_URL: the database is unavailable \(.*ECONNREFUSED.*\)$/);
    assert.doesNotMatch(postgres.line, /s3cret-pw|postgres:\/\//);
  });

  it("names TESSERA_DATABASE_URL when PostgreSQL answers but the database does not exist", async (t) => {
    const url = await requireTestPostgres();
    if (url === null) {
      t.skip("PostgreSQL not reachable");
      return;
    }
    const missing = new URL(url);
    missing.pathname = "/tessera_no_such_database";
    missing.password = "s3cret-pw";
    const { code, line } = await failedStart({ TESSERA_DATABASE_URL: missing.toString() });
    assert.equal(code, 1);
    assert.match(line, /^tessera: could not start: TESSERA_DATABASE_URL: the database is unavailable \(.*tessera_no_such_database.*\)$/);
    assert.doesNotMatch(line, /s3cret-pw/);
  });
});

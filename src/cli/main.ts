// The `tessera` executable (bin/tessera.mjs imports this): process wiring only. Everything
// else lives in dispatch.ts and commands/, which tests run in-process.
import { runCli } from "./dispatch.js";

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // Lazily: touching process.stdin opens it, which commands without input have no need for.
  get stdin() {
    return process.stdin;
  },
});
process.exitCode = code;
// A leaked handle (a driver's timer, a half-closed socket) must not hang the operator's
// shell; an unref'd timer lets a clean exit happen first and forces one otherwise.
setTimeout(() => process.exit(code), 5_000).unref();

// In-process verification benchmark, run as its own (pinned) child process so no server or
// load generator shares its heap or core. Job on stdin, one JSON line of results on stdout.
import { performance } from "node:perf_hooks";
import { createKeyMaterial, mintBenchTokens, verifierCases, type Verify } from "./verifiers.js";

export interface VerifyJob {
  runs: number;
  seconds: number;
}

export interface VerifyCaseOutput {
  library: string;
  alg: string;
  /** Set when the case did not run. */
  skipped?: string;
  opsPerSecond: number[];
}

// Results flow here so the engine cannot drop the verification calls as dead code.
let sink = 0;

function consume(claims: unknown): void {
  const payload = (claims as { payload?: { sub?: string }; sub?: string } | null) ?? {};
  sink += (payload.payload?.sub ?? payload.sub ?? "").length;
}

async function measure(verifier: Verify, token: string, seconds: number): Promise<number> {
  const budgetMs = seconds * 1000;
  let operations = 0;
  const started = performance.now();
  let elapsed = 0;
  if (verifier.kind === "sync") {
    do {
      // Batches keep the clock read out of the per-verification cost.
      for (let index = 0; index < 64; index++) consume(verifier.verify(token));
      operations += 64;
      elapsed = performance.now() - started;
    } while (elapsed < budgetMs);
  } else {
    do {
      for (let index = 0; index < 64; index++) consume(await verifier.verify(token));
      operations += 64;
      elapsed = performance.now() - started;
    } while (elapsed < budgetMs);
  }
  return operations / (elapsed / 1000);
}

/** Refuses to time a verifier that accepts a forged token: that would be timing a no-op. */
async function checkVerifier(verifier: Verify, token: string): Promise<string | null> {
  try {
    await verifier.verify(token);
  } catch {
    return "rejected a valid token";
  }
  const [header, payload, signature = ""] = token.split(".");
  const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
  try {
    await verifier.verify(`${header}.${payload}.${flipped}`);
    return "accepted a token with a bad signature";
  } catch {
    return null;
  }
}

async function runJob(job: VerifyJob): Promise<VerifyCaseOutput[]> {
  const keys = createKeyMaterial();
  const tokens = await mintBenchTokens(keys);
  const ready: { output: VerifyCaseOutput; verifier: Verify; token: string }[] = [];
  const outputs: VerifyCaseOutput[] = [];
  for (const entry of verifierCases) {
    const output: VerifyCaseOutput = { library: entry.library, alg: entry.alg, opsPerSecond: [] };
    outputs.push(output);
    let created: Verify | string;
    try {
      created = await entry.create(keys, tokens);
    } catch (error) {
      created = `failed to start: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (typeof created === "string") {
      output.skipped = created;
      continue;
    }
    const token = tokens[entry.alg];
    const problem = await checkVerifier(created, token);
    if (problem !== null) {
      output.skipped = `sanity check failed: ${problem}`;
      continue;
    }
    ready.push({ output, verifier: created, token });
  }
  // Warm-up lets each library's code reach its optimised tier before anything is recorded.
  for (const { verifier, token } of ready) await measure(verifier, token, job.seconds);
  // Round-robin so slow drift (thermal, GC of earlier cases) spreads over all libraries.
  for (let run = 0; run < job.runs; run++) {
    for (const { output, verifier, token } of ready) output.opsPerSecond.push(await measure(verifier, token, job.seconds));
  }
  return outputs;
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const job = JSON.parse(Buffer.concat(chunks).toString("utf8")) as VerifyJob;
const cases = await runJob(job);
process.stdout.write(JSON.stringify({ cases, sink: sink > 0 }) + "\n");

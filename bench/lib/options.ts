// Command-line options of `npm run bench`.
import { parseArgs } from "node:util";

export interface BenchOptions {
  quick: boolean;
  runs: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Hard bound on the whole run; scenarios that would not fit are skipped. */
  budgetSeconds: number;
  /** Seconds per measured in-process run. */
  verifySeconds: number;
  coldTokenCount: number;
  /** Seconds per capacity run of each throughput figure. */
  capacitySeconds: number;
  /** Revocations timed per capacity run. */
  propagationSamples: number;
  /** Case-insensitive substrings; a scenario runs when its name contains one of them. Empty = all. */
  only: string[];
  writeDocs: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick              about one minute: short runs, indicative figures only
  --runs N             measured runs per scenario (min 3; default 3)
  --duration S         seconds per measured HTTP run (default 6, quick 1)
  --warmup S           seconds of discarded warm-up load per scenario (default 3, quick 1)
  --connections N      autocannon connections (default 50)
  --budget S           HTTP scenarios that would not fit in S seconds are skipped (default 900, quick 300)
  --only a,b           run only scenarios whose name contains one of these ("capacity" for the capacity figures)
  --no-docs            do not regenerate docs/benchmarks.md
  --help`;

function readPositive(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/**
 * Parses bench arguments; `--quick` changes the defaults, explicit flags still win.
 *
 * @example
 * const options = parseBenchOptions(["--quick", "--only", "floor,fastify"]);
 */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      budget: { type: "string" },
      only: { type: "string" },
      "no-docs": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const quick = values.quick === true;
  return {
    quick,
    // The issue asks for at least three runs per scenario so a median means something.
    runs: Math.max(3, Math.round(readPositive(values.runs, "runs", 3))),
    durationSeconds: readPositive(values.duration, "duration", quick ? 1 : 6),
    warmupSeconds: readPositive(values.warmup, "warmup", quick ? 1 : 3),
    connections: Math.round(readPositive(values.connections, "connections", 50)),
    budgetSeconds: readPositive(values.budget, "budget", quick ? 300 : 900),
    verifySeconds: quick ? 0.3 : 1.5,
    coldTokenCount: 1000,
    capacitySeconds: quick ? 0.5 : 2,
    propagationSamples: quick ? 30 : 100,
    only: (values.only ?? "")
      .split(",")
      .map((part) => part.trim().toLowerCase())
      .filter((part) => part.length > 0),
    writeDocs: values["no-docs"] !== true,
    help: values.help === true,
  };
}

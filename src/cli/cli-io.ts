/**
 * Where a command reads and writes. Commands never touch `process` directly, so tests run
 * them in-process with captured streams and a made-up environment.
 *
 * @example
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
 * const code = await run(["list"], io);
 */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Where passwords and `users import -` come from; absent means there is no input. */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Ends a long-running command (`audit --follow`); without it, only the process's end does. */
  signal?: AbortSignal | undefined;
}

/** The command did what was asked. */
export const EXIT_OK = 0;
/** The operation failed (not found, taken, some import lines failed, database down). */
export const EXIT_FAILED = 1;
/** The command line was wrong (unknown command or flag, missing argument). */
export const EXIT_USAGE = 2;

/**
 * Prints one `tessera: ...` line to stderr and returns the exit code to pass on.
 *
 * @example
 * if (!user) return fail(io, `no user "${name}"`);
 */
export function fail(io: CliIo, message: string, code: number = EXIT_FAILED): number {
  io.stderr.write(`tessera: ${message}\n`);
  return code;
}

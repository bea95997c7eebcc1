import { readFileSync } from "node:fs";
import { runWithAuditContext } from "../auth/audit-log.js";
import { BackendUnavailableError, ConfigError } from "../core/errors.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail, type CliIo } from "./cli-io.js";
import { UsageError, type CommandRunner } from "./command-line.js";
import { isMissingSchemaError } from "./missing-schema.js";
import { MissingDatabaseError } from "./database.js";
import { COMMAND_PACKAGES, describeMissingPackages, findMissingPackages } from "./required-packages.js";

// Loaded on demand: `serve` pulls in Fastify and the other commands a database driver, none of
// which `--help` or a typo should wait for.
const COMMANDS: Readonly<Record<string, () => Promise<{ run: CommandRunner }>>> = {
  serve: () => import("./commands/serve.js"),
  migrate: () => import("./commands/migrate.js"),
  users: () => import("./commands/users.js"),
  tokens: () => import("./commands/tokens.js"),
  sessions: () => import("./commands/sessions.js"),
  keys: () => import("./commands/keys.js"),
  secrets: () => import("./commands/secrets.js"),
  clients: () => import("./commands/clients.js"),
  audit: () => import("./commands/audit.js"),
  explain: () => import("./commands/explain.js"),
};

const USAGE = `Usage: tessera <command> [options]

Commands:
  serve                          run the reference server
  migrate                        apply pending database migrations
  users create|list|delete|set-password|import
                                 manage users; import users from another system
  tokens list|revoke             a user's personal access tokens
  sessions list|revoke           a user's sessions (logins)
  keys list|rotate               the JWT signing keys
  clients create|list|rotate-secret|revoke
                                 machine clients (OAuth 2.0 client credentials)
  audit [verify]                 the audit log of authentication events; verify its hash chain
  explain [TOKEN | -]            why a token is or is not accepted (reads stdin by default)
  secrets rekey                  re-seal private keys and secrets with TESSERA_SECRETS_KEY

Every command but serve takes --database URL (default: $TESSERA_DATABASE_URL, or
sqlite:./data/tessera.db) and reads the other TESSERA_* variables like the server.
Run "tessera <command> --help" for a command's options.

Exit codes: 0 done, 1 the operation failed, 2 wrong usage or configuration.
`;

function readVersion(): string {
  try {
    // src/cli and dist/cli both sit two levels below the package root.
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const { version } = JSON.parse(text) as { version?: unknown };
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Runs one `tessera` command line and resolves to its exit code: 0 done, 1 the operation
 * failed, 2 wrong usage or configuration. Reports every failure as one line on stderr and
 * never throws (except for a bug's own stack, which is printed).
 *
 * @example
 * const code = await runCli(["users", "list", "--json"], { stdout, stderr, env: { TESSERA_DATABASE_URL: "sqlite::memory:" } });
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) {
    io.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (command === "--version" || command === "-v") {
    io.stdout.write(`${readVersion()}\n`);
    return EXIT_OK;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) return fail(io, `unknown command "${command}"\nRun "tessera --help" for the list of commands.`, EXIT_USAGE);
  // Before loading it: a command module imports its packages at the top.
  const missing = findMissingPackages(COMMAND_PACKAGES[command] ?? []);
  if (missing.length > 0) return fail(io, describeMissingPackages(command, missing));
  try {
    const { run } = await load();
    // What the command changes is the operator's doing, as the audit log records it. Only the
    // command words: an argument may name anything, but never needs to be in the log.
    const via = `cli: tessera ${command}${args[0] !== undefined && /^[a-z-]+$/.test(args[0]) ? ` ${args[0]}` : ""}`;
    return await runWithAuditContext({ actorType: "operator", actorId: null, via }, () => run(args, io));
  } catch (error) {
    return report(io, command, error);
  }
}

function report(io: CliIo, command: string, error: unknown): number {
  if (error instanceof UsageError) {
    return fail(io, `${error.message}\nRun "tessera ${error.command ?? command} --help" for usage.`, EXIT_USAGE);
  }
  if (error instanceof ConfigError) return fail(io, `invalid configuration: ${error.message}`, EXIT_USAGE);
  if (error instanceof BackendUnavailableError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return fail(io, `${error.message}${cause}; nothing more was done`);
  }
  if (error instanceof MissingDatabaseError) return fail(io, `${error.message}; run "tessera migrate" first (this command does not create one)`);
  if (isMissingSchemaError(error)) return fail(io, 'the database has no Tessera schema yet; run "tessera migrate" first');
  // An unexpected failure: show its stack, which holds code locations, not secrets.
  io.stderr.write(`tessera: ${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT_FAILED;
}

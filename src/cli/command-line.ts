import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT_OK, EXIT_USAGE, type CliIo } from "./cli-io.js";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/**
 * What a command accepts. `usage` is the whole `--help` text; `positionals` names the
 * required arguments in order (`[]` for none), and `optionalPositionals` the ones that may follow.
 *
 * @example
 * const spec = { usage: "Usage: tessera keys list [--json]\n", options: { json: { type: "boolean" } }, positionals: [] } as const;
 */
export interface CommandSpec<T extends OptionsConfig> {
  usage: string;
  options: T;
  positionals: readonly string[];
  optionalPositionals?: readonly string[];
}

type FullConfig<T extends OptionsConfig> = { args: string[]; options: T & typeof HELP_OPTION; allowPositionals: true; strict: true };
type Parsed<T extends OptionsConfig> = ReturnType<typeof parseArgs<FullConfig<T>>>;

/** A parsed command line: typed flag values and the positional arguments. */
export interface CommandLine<T extends OptionsConfig> {
  values: Parsed<T>["values"];
  positionals: string[];
}

/**
 * A wrong command line. The dispatcher prints it with a pointer to `--help` and exits 2.
 *
 * @example
 * throw new UsageError('--format must be "csv" or "jsonl"');
 */
export class UsageError extends Error {
  /** The command whose `--help` to point at (`users create`); filled in on the way up. */
  command: string | undefined;
  constructor(message: string, options: { command?: string } = {}) {
    super(message);
    this.name = "UsageError";
    this.command = options.command;
  }
}

/**
 * Parses a command's arguments with `node:util` parseArgs (strict, so an unknown flag is an
 * error). Prints the usage and returns null for `--help`/`-h`; throws {@link UsageError}
 * for anything else that is wrong.
 *
 * @example
 * const line = parseCommand(args, SPEC, io);
 * if (!line) return EXIT_OK;
 * const [username] = line.positionals;
 */
export function parseCommand<const T extends OptionsConfig>(args: string[], spec: CommandSpec<T>, io: CliIo): CommandLine<T> | null {
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs<FullConfig<T>>({ args, options: { ...spec.options, ...HELP_OPTION }, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs's messages name the flag and say what is wrong with it; they hold no secrets
    // because no secret is ever taken from argv.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    io.stdout.write(spec.usage);
    return null;
  }
  const required = spec.positionals;
  const max = required.length + (spec.optionalPositionals?.length ?? 0);
  if (parsed.positionals.length < required.length) {
    throw new UsageError(`missing ${required.slice(parsed.positionals.length).join(" ")}`);
  }
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[max] ?? ""}"`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/**
 * Checks a flag value against its allowed choices.
 *
 * @example
 * const format = readChoice("--format", line.values.format, ["csv", "jsonl"] as const);
 */
export function readChoice<C extends string>(flag: string, value: string | undefined, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  const choice = choices.find((candidate) => candidate === value);
  if (choice === undefined) throw new UsageError(`${flag} must be one of ${choices.join(", ")}`);
  return choice;
}

/**
 * Parses a positive integer id given on the command line.
 *
 * @example
 * const id = readId("ID", line.positionals[0]);
 */
export function readId(name: string, value: string | undefined): number {
  const id = Number(value);
  if (value === undefined || !/^[0-9]{1,15}$/.test(value) || !Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`${name} must be a positive integer`);
  }
  return id;
}

/** A command's entry point: `run(args, io)` resolving to the exit code. */
export type CommandRunner = (args: string[], io: CliIo) => Promise<number>;

/** Options of {@link runSubcommand}. */
export interface SubcommandGroup {
  /** The group's name as typed (`users`). */
  name: string;
  /** The group's `--help` text, listing its subcommands. */
  usage: string;
  subcommands: Readonly<Record<string, CommandRunner>>;
}

/**
 * Dispatches `tessera <group> <subcommand> ...`: `--help` prints the group's usage (exit 0),
 * no subcommand prints it to stderr (exit 2), an unknown one is a UsageError.
 *
 * @example
 * export const run: CommandRunner = (args, io) => runSubcommand({ name: "keys", usage: USAGE, subcommands: { list: runList } }, args, io);
 */
export async function runSubcommand(group: SubcommandGroup, args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    io.stderr.write(group.usage);
    return EXIT_USAGE;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(group.usage);
    return EXIT_OK;
  }
  const runner = Object.hasOwn(group.subcommands, name) ? group.subcommands[name] : undefined;
  if (!runner) throw new UsageError(`unknown command "${group.name} ${name}"`, { command: group.name });
  try {
    return await runner(rest, io);
  } catch (error) {
    if (error instanceof UsageError) error.command ??= `${group.name} ${name}`;
    throw error;
  }
}

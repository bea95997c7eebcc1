import { EXIT_OK, type CliIo } from "../cli-io.js";
import { parseCommand } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";

const SPEC = {
  usage: `Usage: tessera migrate [--database URL]

Applies pending database migrations and prints the ones it applied. Safe to run while
servers are up and from several places at once: migrations are append-only and run under
a lock. (The server and the writing commands also migrate on start.)

${DATABASE_HELP}
Example:
  TESSERA_DATABASE_URL=postgres://tessera@db/tessera tessera migrate
`,
  options: { ...DATABASE_OPTION },
  positionals: [],
} as const;

/**
 * `tessera migrate`: brings the schema up to date.
 *
 * @example
 * const code = await run(["--database", "sqlite:./data/tessera.db"], io);
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, SPEC, io);
  if (!line) return EXIT_OK;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false, mayCreate: true }, async ({ store }) => {
    const applied = await store.migrate();
    for (const name of applied) io.stdout.write(`applied ${name}\n`);
    if (applied.length === 0) io.stdout.write("the database is up to date\n");
    return EXIT_OK;
  });
}

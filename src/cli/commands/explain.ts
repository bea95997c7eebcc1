import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail, type CliIo } from "../cli-io.js";
import { parseCommand } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";
import { readFirstLine } from "../password-input.js";
import { jsonTime, printable } from "../table.js";

const SPEC = {
  usage: `Usage: tessera explain [TOKEN | -] [--json] [--database URL]

Says what a token is and why it is or is not accepted: its kind (access token, client token,
personal access token, refresh token...), user or client, session, scopes, when it was issued
and expires ("expired 32 s ago"), its signing key (and whether it is retired), an issuer or
audience that is not this server's, and, from the audit log, who revoked it, when and how.
Reads only: the token is not used, stamped or revoked. Exits 0 when it is accepted, 1 when not.

The token is read from the first line of stdin when TOKEN is - or absent: a token on the
command line is visible to every user of the machine (ps) and stays in the shell's history.

  --json           print the explanation as JSON
${DATABASE_HELP}
Example:
  printf '%s\\n' "$TOKEN" | tessera explain
`,
  options: { ...DATABASE_OPTION, json: { type: "boolean" } },
  positionals: [],
  optionalPositionals: ["TOKEN"],
} as const;

/**
 * `tessera explain [TOKEN | -]`: why a token is or is not accepted.
 *
 * @example
 * const code = await run(["-", "--json"], { ...io, stdin });
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, SPEC, io);
  if (!line) return EXIT_OK;
  let token = line.positionals[0];
  if (token === undefined || token === "-") {
    const read = io.stdin === undefined ? null : await readFirstLine(io.stdin);
    if (read === null || read.trim() === "") return fail(io, "give the token on the first line of stdin (or as TOKEN)", EXIT_USAGE);
    token = read.trim();
  } else {
    io.stderr.write("tessera: warning: a token on the command line is visible in the process list; pipe it on stdin instead\n");
  }
  const value = token;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async (database) => {
    const explained = await (await database.tessera()).explain(value);
    if (line.values.json === true) {
      const presented = {
        ...explained,
        issuedAt: jsonTime(explained.issuedAt),
        expiresAt: jsonTime(explained.expiresAt),
        revocation: explained.revocation === null ? null : { ...explained.revocation, at: jsonTime(explained.revocation.at) },
      };
      io.stdout.write(`${JSON.stringify(presented, null, 2)}\n`);
    } else {
      io.stdout.write(`${explained.explanation.map((sentence) => printable(sentence)).join("\n")}\n`);
    }
    return explained.accepted ? EXIT_OK : EXIT_FAILED;
  });
}

import { EXIT_OK, fail, type CliIo } from "../cli-io.js";
import { parseCommand, readId, runSubcommand } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";
import { findUser, USER_REFERENCE_HELP } from "../find-user.js";
import { formatTable, formatTime, jsonTime, printable } from "../table.js";

const USAGE = `Usage: tessera sessions <command> [options]

Commands:
  list USER              list a user's live sessions (logins)
  revoke USER            revoke all of a user's sessions, or one with --session

Run "tessera sessions <command> --help" for a command's options.
`;

const LIST = {
  usage: `Usage: tessera sessions list USER [--json] [--database URL]

Lists a user's sessions that are not revoked, newest first.
${USER_REFERENCE_HELP}.

  --json           print a JSON array instead of a table
${DATABASE_HELP}
Example:
  tessera sessions list ada
`,
  options: { ...DATABASE_OPTION, json: { type: "boolean" } },
  positionals: ["USER"],
} as const;

async function runList(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, LIST, io);
  if (!line) return EXIT_OK;
  const [reference = ""] = line.positionals;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async ({ store }) => {
    const found = await findUser(store.users, reference);
    if (!found.ok) return fail(io, found.message);
    const sessions = await store.tokens.listSessions(String(found.user.id));
    if (line.values.json === true) {
      const presented = sessions.map((session) => ({
        id: session.id,
        scope: session.scope,
        ip: session.ip,
        user_agent: session.userAgent,
        created_at: jsonTime(session.createdAt),
        last_used_at: jsonTime(session.lastUsedAt),
      }));
      io.stdout.write(`${JSON.stringify(presented, null, 2)}\n`);
      return EXIT_OK;
    }
    const rows = sessions.map((session) => [
      String(session.id),
      formatTime(session.createdAt),
      formatTime(session.lastUsedAt),
      session.ip ?? "-",
      session.userAgent ?? "-",
    ]);
    io.stdout.write(formatTable(["id", "created", "last used", "ip", "user agent"], rows));
    return EXIT_OK;
  });
}

const REVOKE = {
  usage: `Usage: tessera sessions revoke USER [--session ID] [--database URL]

Revokes every session of a user, or only the one given: their refresh tokens stop working
and so do the access tokens issued in them. Personal access tokens are not sessions; see
"tessera tokens revoke". ${USER_REFERENCE_HELP}.

  --session ID     revoke only this session (see "tessera sessions list")
${DATABASE_HELP}
Example:
  tessera sessions revoke ada
  tessera sessions revoke ada --session 42
`,
  options: { ...DATABASE_OPTION, session: { type: "string" } },
  positionals: ["USER"],
} as const;

async function runRevoke(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, REVOKE, io);
  if (!line) return EXIT_OK;
  const [reference = ""] = line.positionals;
  const sessionId = line.values.session === undefined ? null : readId("--session", line.values.session);
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    const found = await findUser(database.store.users, reference);
    if (!found.ok) return fail(io, found.message);
    const { user } = found;
    if (sessionId === null) {
      const count = await (await database.tessera()).sessions.revokeAll(user.id);
      io.stdout.write(`revoked ${count} session(s) of "${printable(user.username)}"\n`);
      return EXIT_OK;
    }
    const session = await database.store.tokens.getSession(sessionId);
    if (!session || session.userId !== String(user.id)) return fail(io, `"${printable(user.username)}" has no session ${sessionId}`);
    if (session.revokedAt !== null) {
      io.stdout.write(`session ${sessionId} was already revoked\n`);
      return EXIT_OK;
    }
    await (await database.tessera()).sessions.revoke(session.userId, sessionId);
    io.stdout.write(`revoked session ${sessionId} of "${printable(user.username)}"\n`);
    return EXIT_OK;
  });
}

/**
 * `tessera sessions <list|revoke>`: a user's logins.
 *
 * @example
 * const code = await run(["revoke", "ada", "--session", "42"], io);
 */
export function run(args: string[], io: CliIo): Promise<number> {
  return runSubcommand({ name: "sessions", usage: USAGE, subcommands: { list: runList, revoke: runRevoke } }, args, io);
}

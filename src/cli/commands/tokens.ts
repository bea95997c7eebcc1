import { EXIT_OK, fail, type CliIo } from "../cli-io.js";
import { parseCommand, readId, runSubcommand } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";
import { findUser, USER_REFERENCE_HELP } from "../find-user.js";
import { formatTable, formatTime, jsonTime, printable } from "../table.js";

const USAGE = `Usage: tessera tokens <command> [options]

Commands:
  list USER              list a user's personal access tokens
  revoke ID              revoke a personal access token

Run "tessera tokens <command> --help" for a command's options.
`;

const LIST = {
  usage: `Usage: tessera tokens list USER [--json] [--database URL]

Lists a user's personal access tokens that are not revoked: id, name, scope, created,
expires, last used. The tokens themselves are never stored, so they cannot be shown.
${USER_REFERENCE_HELP}.

  --json           print a JSON array instead of a table
${DATABASE_HELP}
Example:
  tessera tokens list ada
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
    const tokens = await store.tokens.listTokens(String(found.user.id), "pat");
    if (line.values.json === true) {
      const presented = tokens.map((token) => ({
        id: token.id,
        name: token.name,
        scope: token.scope,
        created_at: jsonTime(token.createdAt),
        expires_at: jsonTime(token.expiresAt),
        last_used_at: jsonTime(token.lastUsedAt),
      }));
      io.stdout.write(`${JSON.stringify(presented, null, 2)}\n`);
      return EXIT_OK;
    }
    const rows = tokens.map((token) => [
      String(token.id),
      token.name,
      token.scope,
      formatTime(token.createdAt),
      token.expiresAt === null ? "never" : formatTime(token.expiresAt),
      formatTime(token.lastUsedAt),
    ]);
    io.stdout.write(formatTable(["id", "name", "scope", "created", "expires", "last used"], rows));
    return EXIT_OK;
  });
}

const REVOKE = {
  usage: `Usage: tessera tokens revoke ID [--user USER] [--database URL]

Revokes the personal access token with this id (see "tessera tokens list"). The revocation
is stored where every server instance reads it.

  --user USER      refuse unless the token belongs to this user (${USER_REFERENCE_HELP})
${DATABASE_HELP}
Example:
  tessera tokens revoke 17 --user ada
`,
  options: { ...DATABASE_OPTION, user: { type: "string" } },
  positionals: ["ID"],
} as const;

async function runRevoke(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, REVOKE, io);
  if (!line) return EXIT_OK;
  const id = readId("ID", line.positionals[0]);
  const userReference = line.values.user;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    const { store } = database;
    // The store looks tokens up by owner; find the owner first for a precise message.
    const token = await store.tokens.getTokenById(id);
    if (!token || token.kind !== "pat") return fail(io, `no personal access token with id ${id}`);
    if (userReference !== undefined) {
      const found = await findUser(store.users, userReference);
      if (!found.ok) return fail(io, found.message);
      if (String(found.user.id) !== token.userId) return fail(io, `personal access token ${id} does not belong to "${found.user.username}"`);
    }
    if (token.revokedAt !== null) {
      io.stdout.write(`personal access token ${id} was already revoked\n`);
      return EXIT_OK;
    }
    const revoked = (await (await database.tessera()).personalAccessTokens.revoke(token.userId, id)) !== null;
    io.stdout.write(revoked ? `revoked personal access token ${id} ("${printable(token.name)}")\n` : `personal access token ${id} was already revoked\n`);
    return EXIT_OK;
  });
}

/**
 * `tessera tokens <list|revoke>`: a user's personal access tokens.
 *
 * @example
 * const code = await run(["revoke", "17"], io);
 */
export function run(args: string[], io: CliIo): Promise<number> {
  return runSubcommand({ name: "tokens", usage: USAGE, subcommands: { list: runList, revoke: runRevoke } }, args, io);
}

import { parseScope } from "../../core/scopes.js";
import type { ClientRecord } from "../../core/token-store.js";
import { scopesOf, SERVER_SCOPES } from "../../server/scopes.js";
import { EXIT_OK, fail, type CliIo } from "../cli-io.js";
import { parseCommand, runSubcommand, UsageError } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";
import { findUser, USER_REFERENCE_HELP } from "../find-user.js";
import { formatTable, formatTime, jsonTime, printable } from "../table.js";

const USAGE = `Usage: tessera clients <command> [options]

Commands:
  create NAME            create a machine client (OAuth 2.0 client credentials); prints its secret once
  list                   list the live machine clients
  rotate-secret ID       add a secret (at most two stay live); prints it once
  revoke ID              revoke a client, its secrets and every token it holds

Run "tessera clients <command> --help" for a command's options.
`;

const CREATE = {
  usage: `Usage: tessera clients create NAME --scope "A B" [--owner USER] [--json] [--database URL]

Creates a machine client and prints its id and secret. The secret is shown this once: only
its hash is stored. The client gets access tokens at POST /oauth/token with
grant_type=client_credentials (HTTP Basic client_id:client_secret, or both in the body).

  --scope "A B"    what the client may ask for (server scopes; with --owner, only what the
                   owner may hold). "" for none
  --owner USER     the user the client acts for (${USER_REFERENCE_HELP});
                   without it the client acts for no user (introspection, say)
  --json           print {"client_id": ..., "client_secret": ...} and the client's fields
${DATABASE_HELP}
Example:
  tessera clients create reporting --scope "posts:read" --owner ada --json
`,
  options: { ...DATABASE_OPTION, scope: { type: "string" }, owner: { type: "string" }, json: { type: "boolean" } },
  positionals: ["NAME"],
} as const;

function presentClient(client: ClientRecord) {
  return {
    client_id: client.id,
    name: client.name,
    scope: client.scope,
    owner_id: client.ownerId === null ? null : Number(client.ownerId),
    created_at: jsonTime(client.createdAt),
    last_used_at: jsonTime(client.lastUsedAt),
    revoked_at: jsonTime(client.revokedAt),
  };
}

async function runCreate(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, CREATE, io);
  if (!line) return EXIT_OK;
  const [name = ""] = line.positionals;
  const scopeText = line.values.scope;
  if (scopeText === undefined) throw new UsageError('--scope is required ("" for none)');
  const parsed = scopeText.trim() === "" ? { ok: true as const, scopes: [] as string[] } : parseScope(scopeText);
  if (!parsed.ok) throw new UsageError("--scope is not a valid scope string");
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    let ownerId: number | null = null;
    let allowed = SERVER_SCOPES;
    if (line.values.owner !== undefined) {
      const found = await findUser(database.store.users, line.values.owner);
      if (!found.ok) return fail(io, found.message);
      ownerId = found.user.id;
      allowed = scopesOf(found.user);
    }
    const unknown = parsed.scopes.filter((scope) => !allowed.includes(scope));
    if (unknown.length > 0) return fail(io, `scope not allowed${ownerId === null ? "" : " for the owner"}: ${unknown.join(" ")}`);
    const created = await (await database.tessera()).clients.create({ name, scope: parsed.scopes.join(" "), ownerId });
    if (!created.ok) return fail(io, created.detail ?? "the client could not be created");
    if (line.values.json === true) {
      io.stdout.write(`${JSON.stringify({ ...presentClient(created.client), client_secret: created.secret, secret_id: created.secretRecord.id }, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout.write(`client_id:     ${created.client.id}\nclient_secret: ${created.secret}\n`);
    io.stderr.write("the secret is shown this once; store it now\n");
    return EXIT_OK;
  });
}

const LIST = {
  usage: `Usage: tessera clients list [--owner USER] [--json] [--database URL]

Lists the machine clients not revoked: id, name, scope, owner, created, last used. Secrets
are never stored, so they cannot be shown.

  --owner USER     only the clients of this user (${USER_REFERENCE_HELP})
  --json           print a JSON array instead of a table
${DATABASE_HELP}
Example:
  tessera clients list --json
`,
  options: { ...DATABASE_OPTION, owner: { type: "string" }, json: { type: "boolean" } },
  positionals: [],
} as const;

async function runList(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, LIST, io);
  if (!line) return EXIT_OK;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async ({ store }) => {
    let ownerId: string | undefined;
    if (line.values.owner !== undefined) {
      const found = await findUser(store.users, line.values.owner);
      if (!found.ok) return fail(io, found.message);
      ownerId = String(found.user.id);
    }
    const clients = await store.tokens.listClients(ownerId === undefined ? {} : { ownerId });
    if (line.values.json === true) {
      io.stdout.write(`${JSON.stringify(clients.map(presentClient), null, 2)}\n`);
      return EXIT_OK;
    }
    const rows = clients.map((client) => [client.id, printable(client.name), client.scope, client.ownerId ?? "-", formatTime(client.createdAt), formatTime(client.lastUsedAt)]);
    io.stdout.write(formatTable(["client id", "name", "scope", "owner", "created", "last used"], rows));
    return EXIT_OK;
  });
}

const ROTATE = {
  usage: `Usage: tessera clients rotate-secret ID [--revoke-old] [--json] [--database URL]

Adds a secret to the client and prints it once. Two secrets stay live, so the client can move
to the new one without downtime; rotating again revokes the oldest (and the tokens it minted).

  --revoke-old     revoke every other secret (and its tokens) at once
  --json           print {"client_id", "client_secret", "secret_id", "revoked_secret_ids"}
${DATABASE_HELP}
Example:
  tessera clients rotate-secret tsr_ci_... --json
`,
  options: { ...DATABASE_OPTION, "revoke-old": { type: "boolean" }, json: { type: "boolean" } },
  positionals: ["ID"],
} as const;

async function runRotate(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, ROTATE, io);
  if (!line) return EXIT_OK;
  const [id = ""] = line.positionals;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    const rotated = await (await database.tessera()).clients.rotateSecret(id, { revokeOthers: line.values["revoke-old"] === true });
    if (rotated === null) return fail(io, `no live client "${printable(id)}"`);
    const revokedIds = rotated.revoked.map((secret) => secret.id);
    if (line.values.json === true) {
      io.stdout.write(`${JSON.stringify({ client_id: id, client_secret: rotated.secret, secret_id: rotated.record.id, revoked_secret_ids: revokedIds }, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout.write(`client_secret: ${rotated.secret}\n`);
    io.stderr.write(`the secret is shown this once${revokedIds.length > 0 ? `; revoked secret(s) ${revokedIds.join(", ")}` : ""}\n`);
    return EXIT_OK;
  });
}

const REVOKE = {
  usage: `Usage: tessera clients revoke ID [--database URL]

Revokes the client, its secrets and every access token it holds. The revocation is stored
where every server instance reads it (within a second).
${DATABASE_HELP}
Example:
  tessera clients revoke tsr_ci_...
`,
  options: { ...DATABASE_OPTION },
  positionals: ["ID"],
} as const;

async function runRevoke(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, REVOKE, io);
  if (!line) return EXIT_OK;
  const [id = ""] = line.positionals;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    const revoked = await (await database.tessera()).clients.revoke(id);
    if (revoked === null) return fail(io, `no live client "${printable(id)}"`);
    io.stdout.write(`revoked client ${revoked.id} ("${printable(revoked.name)}")\n`);
    return EXIT_OK;
  });
}

/**
 * `tessera clients <create|list|rotate-secret|revoke>`: machine clients (client credentials).
 *
 * @example
 * const code = await run(["create", "reporting", "--scope", "posts:read", "--json"], io);
 */
export function run(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(
    { name: "clients", usage: USAGE, subcommands: { create: runCreate, list: runList, "rotate-secret": runRotate, revoke: runRevoke } },
    args,
    io,
  );
}

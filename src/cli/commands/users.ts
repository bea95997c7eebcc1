import { createReadStream, type ReadStream } from "node:fs";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { currentAuditContext } from "../../auth/audit-log.js";
import { hashAuditEvent } from "../../core/audit-chain.js";
import { systemClock } from "../../core/clock.js";
import { checkPasswordPolicy, createPasswordHasher } from "../../core/passwords/index.js";
import type { UserRecord } from "../../server/store/index.js";
import { EXIT_FAILED, EXIT_OK, fail, type CliIo } from "../cli-io.js";
import { parseCommand, readChoice, runSubcommand, UsageError } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";
import { findUser, USER_REFERENCE_HELP } from "../find-user.js";
import { readPassword } from "../password-input.js";
import { formatTable, formatTime, jsonTime, printable } from "../table.js";
import { isValidEmail, isValidUsername, USERNAME_RULE } from "../user-fields.js";
import { importUsers } from "../user-import.js";

const USAGE = `Usage: tessera users <command> [options]

Commands:
  create USERNAME        create a user; the password is read from stdin
  list                   list users
  delete USER            delete a user and revoke everything it holds
  set-password USER      set a new password (read from stdin) and revoke the user's sessions
  import FILE            import users with password hashes from another system

Run "tessera users <command> --help" for a command's options.
`;

const CREATE = {
  usage: `Usage: tessera users create USERNAME [--email EMAIL] [--admin] [--password-stdin] [--json] [--database URL]

Creates a user and prints its id. The password is never taken from the command line:
on a terminal it is prompted for (twice, not echoed); otherwise the first line of stdin is used.

  USERNAME         1-64 characters of A-Z a-z 0-9 _ . - (unique, ignoring case)
  --email EMAIL    the user's email address
  --admin          make the user an administrator
  --password-stdin read the first line of stdin even on a terminal
  --json           print {"id", "username", "email", "is_admin", "created_at"} instead of the id
${DATABASE_HELP}
Example:
  printf '%s\\n' "$ADMIN_PASSWORD" | tessera users create admin --admin
`,
  options: {
    ...DATABASE_OPTION,
    email: { type: "string" },
    admin: { type: "boolean" },
    "password-stdin": { type: "boolean" },
    json: { type: "boolean" },
  },
  positionals: ["USERNAME"],
} as const;

async function runCreate(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, CREATE, io);
  if (!line) return EXIT_OK;
  const [username = ""] = line.positionals;
  const email = line.values.email ?? null;
  if (!isValidUsername(username)) throw new UsageError(`USERNAME must be ${USERNAME_RULE}`);
  if (email !== null && !isValidEmail(email)) throw new UsageError("--email is not a valid address");
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async ({ store, config }) => {
    // Check first, so an operator does not type a password for a name that is taken.
    if (await store.users.getUserByUsername(username)) return fail(io, `username "${username}" is already taken`);
    const input = await readPassword(io, { promptOnTerminal: line.values["password-stdin"] !== true });
    if (!input.ok) return fail(io, input.message, input.exitCode);
    const { password } = input;
    const policy = checkPasswordPolicy(password);
    if (!policy.ok) return fail(io, `password ${policy.message}`);
    const user = await store.users.createUser({
      username,
      passwordHash: await createPasswordHasher().hash(password),
      email,
      isAdmin: line.values.admin === true,
      now: systemClock.now(),
    });
    if (!user) return fail(io, `username "${username}" is already taken`);
    // Written directly: starting the facade here would create signing keys as a side effect.
    const context = currentAuditContext();
    const event = {
      at: user.createdAt,
      type: "user.created",
      actorType: "operator" as const,
      actorId: null,
      userId: String(user.id),
      clientId: null,
      sessionId: null,
      subject: `user:${user.id}`,
      reason: user.isAdmin ? "admin" : null,
      ip: null,
      userAgent: null,
      requestId: null,
      via: context?.via ?? "cli: tessera users create",
      count: 1,
    };
    await store.tokens.appendAuditEvents([event], config.auditChain ? { chain: hashAuditEvent } : {});
    if (line.values.json === true) {
      const record = { id: user.id, username: user.username, email: user.email, is_admin: user.isAdmin, created_at: jsonTime(user.createdAt) };
      io.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
      return EXIT_OK;
    }
    io.stdout.write(`${user.id}\n`);
    return EXIT_OK;
  });
}

const LIST = {
  usage: `Usage: tessera users list [--json] [--database URL]

Lists every user (never password hashes).

  --json           print a JSON array instead of a table
${DATABASE_HELP}
Example:
  tessera users list --json | jq -r '.[] | select(.is_admin) | .username'
`,
  options: { ...DATABASE_OPTION, json: { type: "boolean" } },
  positionals: [],
} as const;

const PAGE_SIZE = 500;

async function runList(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, LIST, io);
  if (!line) return EXIT_OK;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async ({ store }) => {
    const users: UserRecord[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await store.users.listUsers({ offset, limit: PAGE_SIZE });
      users.push(...page.items);
      if (page.items.length < PAGE_SIZE || users.length >= page.total) break;
    }
    if (line.values.json === true) {
      const presented = users.map((user) => ({
        id: user.id,
        username: user.username,
        email: user.email,
        is_admin: user.isAdmin,
        created_at: jsonTime(user.createdAt),
        last_seen_at: jsonTime(user.lastSeenAt),
      }));
      io.stdout.write(`${JSON.stringify(presented, null, 2)}\n`);
      return EXIT_OK;
    }
    const rows = users.map((user) => [
      String(user.id),
      user.username,
      user.email ?? "-",
      user.isAdmin ? "yes" : "no",
      formatTime(user.createdAt),
      formatTime(user.lastSeenAt),
    ]);
    io.stdout.write(formatTable(["id", "username", "email", "admin", "created", "last seen"], rows));
    return EXIT_OK;
  });
}

const DELETE = {
  usage: `Usage: tessera users delete USER [--database URL]

Deletes a user with its sessions and personal access tokens. Everything issued to the user
is revoked first, so access tokens already handed out stop working too.
${USER_REFERENCE_HELP}.

${DATABASE_HELP}
Example:
  tessera users delete mallory
`,
  options: { ...DATABASE_OPTION },
  positionals: ["USER"],
} as const;

async function runDelete(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, DELETE, io);
  if (!line) return EXIT_OK;
  const [reference = ""] = line.positionals;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    const found = await findUser(database.store.users, reference);
    if (!found.ok) return fail(io, found.message);
    const { user } = found;
    // Revoke first: if the delete then fails, the tokens are dead anyway (fail closed), as the API does.
    await (await database.tessera()).forgetUser(user.id);
    await database.store.users.deleteUser(user.id);
    io.stdout.write(`deleted user "${printable(user.username)}" (id ${user.id}); every token it held is revoked\n`);
    return EXIT_OK;
  });
}

const SET_PASSWORD = {
  usage: `Usage: tessera users set-password USER [--password-stdin] [--database URL]

Sets a user's password and revokes every session of the user (personal access tokens stay).
The password is prompted for on a terminal, otherwise read from the first line of stdin.
${USER_REFERENCE_HELP}.

  --password-stdin read the first line of stdin even on a terminal
${DATABASE_HELP}
Example:
  printf '%s\\n' "$NEW_PASSWORD" | tessera users set-password ada
`,
  options: { ...DATABASE_OPTION, "password-stdin": { type: "boolean" } },
  positionals: ["USER"],
} as const;

async function runSetPassword(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, SET_PASSWORD, io);
  if (!line) return EXIT_OK;
  const [reference = ""] = line.positionals;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    const found = await findUser(database.store.users, reference);
    if (!found.ok) return fail(io, found.message);
    const { user } = found;
    const input = await readPassword(io, { promptOnTerminal: line.values["password-stdin"] !== true });
    if (!input.ok) return fail(io, input.message, input.exitCode);
    const { password } = input;
    const policy = checkPasswordPolicy(password);
    if (!policy.ok) return fail(io, `password ${policy.message}`);
    const tessera = await database.tessera();
    await database.store.users.setPasswordHash(user.id, await tessera.passwords.hash(password));
    const revoked = await tessera.sessions.revokeAll(user.id);
    io.stdout.write(`password of "${printable(user.username)}" changed; ${revoked} session(s) revoked\n`);
    return EXIT_OK;
  });
}

const IMPORT = {
  usage: `Usage: tessera users import FILE [--format csv|jsonl] [--dry-run] [--database URL]

Imports users with the password hashes of the system they come from; they log in with their
old passwords at once, and each hash is replaced by argon2id on the user's first login.
Supported hashes: bcrypt ($2a$/$2b$/$2y$), passlib sha256/sha512-crypt ($5$/$6$),
werkzeug pbkdf2:... and scrypt:..., argon2.

  FILE             the file to read, or - for stdin
                   CSV:  username,password_hash[,email]   (an optional header row is skipped)
                   JSON lines: {"username": "...", "password_hash": "...", "email": "..."}
  --format F       csv or jsonl (default: from the extension, else from the first line)
  --dry-run        check every line and report, without writing
${DATABASE_HELP}
An existing username is skipped; a bad line is reported on stderr (line number and reason,
never the hash) and does not stop the rest. Prints "imported N, skipped N, failed N" and
exits 0 when no line failed, 1 otherwise.

Example:
  tessera users import legacy-users.csv
`,
  options: { ...DATABASE_OPTION, format: { type: "string" }, "dry-run": { type: "boolean" } },
  positionals: ["FILE"],
} as const;

async function runImport(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, IMPORT, io);
  if (!line) return EXIT_OK;
  const [file = ""] = line.positionals;
  const format = readChoice("--format", line.values.format, ["csv", "jsonl"] as const);
  const dryRun = line.values["dry-run"] === true;
  let input: NodeJS.ReadableStream;
  let fileStream: ReadStream | undefined;
  if (file === "-") {
    if (!io.stdin) throw new UsageError("FILE is -, and there is no stdin");
    input = io.stdin;
  } else {
    const opened = await openFile(file);
    if (typeof opened === "string") return fail(io, opened);
    input = fileStream = opened;
  }
  try {
    return await withDatabase(io, { databaseUrl: line.values.database, migrate: !dryRun }, async ({ store }) => {
      const lines = createInterface({ input, crlfDelay: Infinity });
      try {
        const summary = await importUsers({
          lines,
          format,
          fileName: file === "-" ? "" : basename(file),
          store: store.users,
          clock: systemClock,
          dryRun,
          onProblem: (problem) => io.stderr.write(`line ${problem.line}: ${problem.outcome}: ${problem.reason}\n`),
        });
        const verb = dryRun ? "would import" : "imported";
        io.stdout.write(`${verb} ${summary.imported}, skipped ${summary.skipped}, failed ${summary.failed}\n`);
        if (summary.abortedAtLine !== null) {
          return fail(io, `stopped at line ${summary.abortedAtLine}: the database is unavailable; re-run to import the rest (done lines are skipped)`);
        }
        return summary.failed === 0 ? EXIT_OK : EXIT_FAILED;
      } finally {
        lines.close();
      }
    });
  } finally {
    fileStream?.destroy();
  }
}

/** Opens a file once it is really open, so a missing file is reported before any database work; a string is the problem. */
function openFile(path: string): Promise<ReadStream | string> {
  return new Promise((resolve) => {
    const stream = createReadStream(path);
    stream.once("open", () => resolve(stream));
    stream.once("error", (error: NodeJS.ErrnoException) => resolve(`cannot read ${path}: ${error.code ?? error.message}`));
  });
}

/**
 * `tessera users <create|list|delete|set-password|import>`.
 *
 * @example
 * const code = await run(["list", "--json"], io);
 */
export function run(args: string[], io: CliIo): Promise<number> {
  return runSubcommand(
    {
      name: "users",
      usage: USAGE,
      subcommands: { create: runCreate, list: runList, delete: runDelete, "set-password": runSetPassword, import: runImport },
    },
    args,
    io,
  );
}

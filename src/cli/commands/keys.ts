import { systemClock } from "../../core/clock.js";
import { createKeyRing, JWT_ALGS } from "../../core/jwt/index.js";
import type { SigningKeyRecord } from "../../core/token-store.js";
import { EXIT_OK, type CliIo } from "../cli-io.js";
import { parseCommand, readChoice, runSubcommand } from "../command-line.js";
import { currentSigningAlg } from "../../auth/signing-keys.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";
import { formatTable, formatTime, jsonTime } from "../table.js";

const USAGE = `Usage: tessera keys <command> [options]

Commands:
  list                   list the JWT signing keys (never their private parts)
  rotate                 start signing with a new key; old keys verify until their tokens expire

Run "tessera keys <command> --help" for a command's options.
`;

const LIST = {
  usage: `Usage: tessera keys list [--json] [--database URL]

Lists the signing keys, newest first: kid, algorithm, status (signing, retired, expired),
created, retired and expires. Private key material is never printed.

  --json           print a JSON array instead of a table
${DATABASE_HELP}
Example:
  tessera keys list
`,
  options: { ...DATABASE_OPTION, json: { type: "boolean" } },
  positionals: [],
} as const;

function statusOf(key: SigningKeyRecord, signingKid: string | null, now: number): string {
  if (key.kid === signingKid) return "signing";
  if (key.expiresAt !== null && key.expiresAt <= now) return "expired";
  return key.retiredAt === null ? "standby" : "retired";
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, LIST, io);
  if (!line) return EXIT_OK;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async ({ store }) => {
    const keys = await store.tokens.listSigningKeys();
    const signingKid = createKeyRing(keys).signingKey?.kid ?? null;
    const now = systemClock.now();
    const sorted = [...keys].sort((a, b) => b.createdAt - a.createdAt || b.kid.localeCompare(a.kid));
    if (line.values.json === true) {
      const presented = sorted.map((key) => ({
        kid: key.kid,
        alg: key.alg,
        status: statusOf(key, signingKid, now),
        created_at: jsonTime(key.createdAt),
        retired_at: jsonTime(key.retiredAt),
        expires_at: jsonTime(key.expiresAt),
      }));
      io.stdout.write(`${JSON.stringify(presented, null, 2)}\n`);
      return EXIT_OK;
    }
    if (sorted.length === 0) {
      io.stderr.write('no signing keys yet: the server creates the first on start, or run "tessera keys rotate"\n');
      return EXIT_OK;
    }
    const rows = sorted.map((key) => [
      key.kid,
      key.alg,
      statusOf(key, signingKid, now),
      formatTime(key.createdAt),
      formatTime(key.retiredAt),
      formatTime(key.expiresAt),
    ]);
    io.stdout.write(formatTable(["kid", "alg", "status", "created", "retired", "expires"], rows));
    return EXIT_OK;
  });
}

const ROTATE = {
  usage: `Usage: tessera keys rotate [--alg EdDSA|ES256|RS256|HS256] [--json] [--database URL]

Creates a new signing key and prints its kid. The keys it replaces stop signing and keep
verifying until every access token they signed has expired (access-token TTL + 60 s).

  --alg ALG        algorithm of the new key (default: $TESSERA_JWT_ALG when set, else the
                   current key's algorithm, else EdDSA)
  --json           print {"kid", "alg"} instead of the kid
${DATABASE_HELP}
Example:
  tessera keys rotate --alg ES256
`,
  options: { ...DATABASE_OPTION, alg: { type: "string" }, json: { type: "boolean" } },
  positionals: [],
} as const;

async function runRotate(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, ROTATE, io);
  if (!line) return EXIT_OK;
  const requested = readChoice("--alg", line.values.alg, JWT_ALGS);
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async (database) => {
    const { store, config } = database;
    const configured = io.env["TESSERA_JWT_ALG"] ? config.jwtAlg : undefined;
    const alg = requested ?? configured ?? (await currentSigningAlg(store.tokens)) ?? config.jwtAlg;
    const before = createKeyRing(await store.tokens.listSigningKeys()).signingKey?.kid ?? null;
    // Loading the ring with the target algorithm already creates a key when there is none or
    // the current one has another algorithm; rotate only when that did not happen.
    const tessera = await database.tessera({ jwtAlg: alg });
    const loaded = createKeyRing(tessera.keys.records()).signingKey?.kid ?? null;
    const kid = loaded !== null && loaded !== before ? loaded : (await tessera.keys.rotate({ alg })).kid;
    io.stdout.write(line.values.json === true ? `${JSON.stringify({ kid, alg }, null, 2)}\n` : `${kid}\n`);
    io.stderr.write(`new ${alg} signing key ${kid}; the keys it replaces verify until their tokens expire\n`);
    return EXIT_OK;
  });
}

/**
 * `tessera keys <list|rotate>`: the JWT signing key ring.
 *
 * @example
 * const code = await run(["rotate", "--alg", "ES256"], io);
 */
export function run(args: string[], io: CliIo): Promise<number> {
  return runSubcommand({ name: "keys", usage: USAGE, subcommands: { list: runList, rotate: runRotate } }, args, io);
}

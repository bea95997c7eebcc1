import { rekeyStoredSecrets } from "../../stores/index.js";
import { EXIT_OK, fail, type CliIo } from "../cli-io.js";
import { parseCommand, runSubcommand } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";

const USAGE = `Usage: tessera secrets rekey [--database URL]

Commands:
  rekey    re-seal every private signing key and stored secret with the first key of
           TESSERA_SECRETS_KEY (values stored in plain text are sealed too)
`;

const REKEY = {
  usage: `Usage: tessera secrets rekey [--database URL]

Re-seals the private signing keys and the stored secrets with the first key of
TESSERA_SECRETS_KEY (comma-separated "id:base64key" entries; every listed key can open, the
first seals). To rotate the key: put the new key first and keep the old one after it, run this,
restart the servers, then drop the old key. Values in plain text (a database from before
encryption was turned on) are sealed too.

${DATABASE_HELP}
Example:
  TESSERA_SECRETS_KEY="k2:$(openssl rand -base64 32),k1:$OLD_KEY" tessera secrets rekey
`,
  options: { ...DATABASE_OPTION },
  positionals: [],
} as const;

async function runRekey(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, REKEY, io);
  if (!line) return EXIT_OK;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: true }, async ({ store }) => {
    if (store.cipher === null) return fail(io, "TESSERA_SECRETS_KEY is not set: there is no key to seal with");
    const result = await rekeyStoredSecrets(store.tokens, store.cipher);
    io.stdout.write(`re-sealed ${result.signingKeys} signing key(s) and ${result.secrets} secret(s) with key "${store.cipher.currentKeyId}"\n`);
    return EXIT_OK;
  });
}

/**
 * `tessera secrets rekey`: the at-rest encryption of private keys and secrets.
 *
 * @example
 * const code = await run(["rekey"], io);
 */
export function run(args: string[], io: CliIo): Promise<number> {
  return runSubcommand({ name: "secrets", usage: USAGE, subcommands: { rekey: runRekey } }, args, io);
}

import { serve } from "../../server/main.js";
import { EXIT_OK, type CliIo } from "../cli-io.js";
import { parseCommand } from "../command-line.js";

const SPEC = {
  usage: `Usage: tessera serve

Starts the reference server, configured by environment variables (the table is in the README
and docs/server.md; TESSERA_CONFIG=file.json adds a JSON file of them, the environment wins):
PORT, HOST, TESSERA_DATABASE_URL, TESSERA_REDIS_URL, TESSERA_REDIS_KEY_PREFIX, TESSERA_ISSUER,
TESSERA_AUDIENCE, TESSERA_JWT_ALG, TESSERA_ACCESS_TOKEN_TTL, TESSERA_REFRESH_TOKEN_TTL,
TESSERA_REFRESH_REUSE_GRACE, TESSERA_PAT_DEFAULT_TTL, TESSERA_LOGIN_LIMIT_ACCOUNT, TESSERA_LOGIN_LIMIT_IP,
TESSERA_REQUEST_LIMIT_TOKEN, TESSERA_SIGNUP_LIMIT_IP, TESSERA_TOKEN_ENDPOINT_LIMIT_IP, TESSERA_BAD_TOKEN_LIMIT_IP,
TESSERA_BODY_LIMIT, TESSERA_REQUEST_TIMEOUT, TESSERA_HEADERS_TIMEOUT, TESSERA_KEEP_ALIVE_TIMEOUT,
TESSERA_IDLE_TIMEOUT, TESSERA_SECRETS_KEY, TESSERA_DATABASE_URL_FILE, TESSERA_TRUST_PROXY, TESSERA_LOG_LEVEL,
TESSERA_DATABASE_POOL_SIZE, TESSERA_DATABASE_TIMEOUT, TESSERA_TOKEN_CACHE_SIZE.
Stops on SIGINT/SIGTERM after draining requests in flight. A bad setting exits 2; a
database, port or address that cannot be used exits 1. Either way one line names the variable.

  -h, --help       show this help

Example:
  PORT=8080 TESSERA_DATABASE_URL=sqlite:./data/tessera.db tessera serve
`,
  options: {},
  positionals: [],
} as const;

/**
 * `tessera serve`: runs the server until a signal stops it; resolves to the exit code.
 *
 * @example
 * process.exitCode = await run([], io);
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, SPEC, io);
  if (!line) return EXIT_OK;
  return serve(io.env, io);
}

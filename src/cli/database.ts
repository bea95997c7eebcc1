import { existsSync } from "node:fs";
import { createTessera, type Tessera } from "../auth/create-tessera.js";
import type { JwtAlg } from "../core/jwt/index.js";
import { loadConfig, withConfigFile, type ServerConfig } from "../server/config.js";
import { openServerDatabase, type ServerDatabase } from "../server/server-database.js";
import type { UserRecord } from "../server/store/index.js";
import { parseDatabaseUrl } from "../stores/index.js";
import type { CliIo } from "./cli-io.js";

/**
 * A read-only command named a SQLite file that does not exist. Reported like a missing schema
 * (exit 1, "run tessera migrate"), and nothing is created.
 */
export class MissingDatabaseError extends Error {
  constructor(readonly filename: string) {
    super(`no database file at ${filename}`);
    this.name = "MissingDatabaseError";
  }
}

/**
 * The `--database URL` flag every command but `serve` accepts; it overrides
 * `TESSERA_DATABASE_URL`.
 *
 * @example
 * const spec = { usage, options: { ...DATABASE_OPTION, json: { type: "boolean" } }, positionals: [] } as const;
 */
export const DATABASE_OPTION = { database: { type: "string" } } as const;

/** The help lines that describe {@link DATABASE_OPTION} and the environment, shared by every command's usage. */
export const DATABASE_HELP = `  --database URL   sqlite:PATH, sqlite::memory: or postgres://... (default: $TESSERA_DATABASE_URL,
                   the first line of the file $TESSERA_DATABASE_URL_FILE, or sqlite:./data/tessera.db).
                   A password in --database is visible to every user of the machine (ps);
                   give it through TESSERA_DATABASE_URL or TESSERA_DATABASE_URL_FILE instead
  -h, --help       show this help
`;

/** An open database for one command, and the Tessera service over it on demand. */
export interface CliDatabase {
  store: ServerDatabase;
  /** The server configuration read from the same environment, so issuer, audience and TTLs match the server's. */
  config: ServerConfig;
  /**
   * The Tessera service over the store, created on first call (it loads keys and revocations).
   * `jwtAlg` (first call only) is the algorithm to sign with; by default the current key's, so
   * that loading never rotates keys as a side effect.
   */
  tessera(options?: { jwtAlg?: JwtAlg }): Promise<Tessera<UserRecord>>;
}

/** Options of {@link withDatabase}. */
export interface WithDatabaseOptions {
  /** The `--database` flag, when given. */
  databaseUrl: string | undefined;
  /** Apply pending migrations first. Commands that write do; read-only ones do not. */
  migrate: boolean;
  /**
   * Whether a missing SQLite file may be created. Default: only when migrating first, so a
   * read-only command never leaves an empty database behind; `tessera migrate` sets it.
   */
  mayCreate?: boolean;
}

/**
 * Opens the store named by `--database` or `TESSERA_DATABASE_URL`, runs `work`, and closes
 * everything, whatever happens. Throws `ConfigError` for a bad URL or environment.
 *
 * @example
 * return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async ({ store }) => {
 *   const page = await store.users.listUsers({ offset: 0, limit: 10 });
 *   return EXIT_OK;
 * });
 */
export async function withDatabase(io: CliIo, options: WithDatabaseOptions, work: (database: CliDatabase) => Promise<number>): Promise<number> {
  if (options.databaseUrl !== undefined && hasPassword(options.databaseUrl)) {
    io.stderr.write("tessera: warning: the password in --database is visible in the process list; use TESSERA_DATABASE_URL or TESSERA_DATABASE_URL_FILE\n");
  }
  const fileAndEnv = withConfigFile(io.env);
  const env = options.databaseUrl === undefined ? fileAndEnv : { ...fileAndEnv, TESSERA_DATABASE_URL: options.databaseUrl };
  const databaseUrl = env["TESSERA_DATABASE_URL"];
  // The stores' parser never echoes the URL (it may hold a password); loadConfig's would.
  if (databaseUrl !== undefined && databaseUrl !== "") parseDatabaseUrl(databaseUrl);
  const config = loadConfig(env);
  const location = parseDatabaseUrl(config.databaseUrl);
  // Read-only commands never write: not even an empty database file or its directory.
  if (!(options.mayCreate ?? options.migrate) && location.kind === "sqlite" && location.filename !== ":memory:" && !existsSync(location.filename)) {
    throw new MissingDatabaseError(location.filename);
  }
  const store = await openServerDatabase(config.databaseUrl, {
    onWarning: (message) => io.stderr.write(`tessera: warning: ${message}\n`),
    secretsKeys: config.secretsKeys,
  });
  let tessera: Promise<Tessera<UserRecord>> | undefined;
  try {
    if (options.migrate) await store.migrate();
    return await work({ store, config, tessera: (tesseraOptions = {}) => (tessera ??= startTessera(store, config, tesseraOptions.jwtAlg)) });
  } finally {
    try {
      // A Tessera that failed to start has nothing to close; its error is already on its way up.
      await tessera?.then((started) => started.close(), () => undefined);
    } finally {
      await store.close();
    }
  }
}

function startTessera(store: ServerDatabase, config: ServerConfig, jwtAlg: JwtAlg | undefined): Promise<Tessera<UserRecord>> {
  return createTessera<UserRecord>({
    store: store.sealed,
    users: {
      findForLogin: (username) => store.users.getUserByUsername(username),
      byId: (id) => store.users.getUserById(Number(id)),
      setPasswordHash: (id, hash) => store.users.setPasswordHash(Number(id), hash),
    },
    issuer: config.issuer,
    audience: config.audience,
    // Without jwtAlg, createTessera keeps whatever signs now: an operator revoking a session must
    // never rotate keys as a side effect.
    ...(jwtAlg === undefined ? {} : { jwtAlg }),
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
    // A command is over in moments: no timers. Its audit events are written when it closes.
    revocationPollIntervalMs: 0,
    keyReloadIntervalMs: 0,
    audit: { flushIntervalMs: 0, chain: config.auditChain, retentionSeconds: config.auditRetentionSeconds },
  });
}

/** Whether a database URL carries a password (`postgres://user:secret@host/db`). */
function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return false;
  }
}

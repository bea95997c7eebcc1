import type { AuditEventRecord, AuditQuery } from "../../core/token-store.js";
import { presentAuditEvent } from "../../server/presenters.js";
import { parseSince } from "../../server/time-filter.js";
import { EXIT_FAILED, EXIT_OK, fail, type CliIo } from "../cli-io.js";
import { parseCommand, UsageError } from "../command-line.js";
import { DATABASE_HELP, DATABASE_OPTION, withDatabase } from "../database.js";
import { findUser, USER_REFERENCE_HELP } from "../find-user.js";
import { formatTable, formatTime, printable } from "../table.js";

const LIST = {
  usage: `Usage: tessera audit [--user USER] [--client ID] [--type T[,T...]] [--since AGE|TIME]
                     [--limit N] [--follow] [--json] [--database URL]
       tessera audit verify [--json] [--database URL]

Prints the audit log of authentication events, oldest first: logins (failed ones with why),
refreshes, logouts, revocations, tokens and clients created, password changes, rate-limit
refusals. Never a secret. "tessera audit verify" checks the hash chain (TESSERA_AUDIT_CHAIN=on).

  --user USER      only this user's events (${USER_REFERENCE_HELP})
  --client ID      only this machine client's events
  --type T[,T...]  only these event types (login.failed, session.revoked, ...)
  --since AGE|TIME only events since an age (90s, 15m, 1h, 7d) or an RFC 3339 time
  --limit N        the newest N events (default 100, at most 1000)
  --follow         keep printing new events as they are written (until interrupted)
  --json           a JSON array (with --follow: one JSON object per line)
${DATABASE_HELP}
Example:
  tessera audit --user ada --since 1h
  tessera audit --type login.failed --follow --json
`,
  options: {
    ...DATABASE_OPTION,
    user: { type: "string" },
    client: { type: "string" },
    type: { type: "string" },
    since: { type: "string" },
    limit: { type: "string" },
    follow: { type: "boolean" },
    json: { type: "boolean" },
  },
  positionals: [],
} as const;

/** How often `--follow` asks the database for new events. */
const FOLLOW_POLL_MS = 1_000;

function tableRows(events: readonly AuditEventRecord[]): string[][] {
  return events.map((event) => [
    formatTime(event.at),
    event.type,
    printable(event.actorId === null ? event.actorType : `${event.actorType}:${event.actorId}`),
    event.userId ?? "-",
    printable(event.subject ?? "-"),
    printable(event.reason ?? "-"),
    event.ip ?? "-",
    printable(event.via ?? "-"),
    String(event.count),
  ]);
}

const HEADERS = ["at", "type", "actor", "user", "subject", "reason", "ip", "via", "count"];

function readLimit(value: string | undefined): number {
  if (value === undefined) return 100;
  const limit = Number(value);
  if (!/^[0-9]{1,4}$/.test(value) || limit < 1 || limit > 1000) throw new UsageError("--limit must be 1 to 1000");
  return limit;
}

async function runList(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, LIST, io);
  if (!line) return EXIT_OK;
  const limit = readLimit(line.values.limit);
  const since = line.values.since === undefined ? undefined : parseSince(line.values.since, Date.now());
  if (since === null) throw new UsageError("--since must be an age (90s, 15m, 1h, 7d) or an RFC 3339 time");
  const types = line.values.type?.split(",").map((type) => type.trim()).filter((type) => type !== "");
  const json = line.values.json === true;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async ({ store }) => {
    const query: Omit<AuditQuery, "limit"> = {
      ...(line.values.client === undefined ? {} : { clientId: line.values.client }),
      ...(types === undefined || types.length === 0 ? {} : { types }),
      ...(since === undefined ? {} : { since }),
    };
    if (line.values.user !== undefined) {
      const found = await findUser(store.users, line.values.user);
      if (!found.ok) return fail(io, found.message);
      query.userId = String(found.user.id);
    }
    const events = (await store.tokens.listAuditEvents({ ...query, limit })).reverse();
    if (line.values.follow !== true) {
      io.stdout.write(json ? `${JSON.stringify(events.map(presentAuditEvent), null, 2)}\n` : formatTable(HEADERS, tableRows(events)));
      return EXIT_OK;
    }
    const print = (batch: readonly AuditEventRecord[]) => {
      if (json) for (const event of batch) io.stdout.write(`${JSON.stringify(presentAuditEvent(event))}\n`);
      else if (batch.length > 0) io.stdout.write(formatTable(HEADERS, tableRows(batch)).split("\n").slice(1).join("\n"));
    };
    if (json) print(events);
    else io.stdout.write(formatTable(HEADERS, tableRows(events)));
    let lastId = events.at(-1)?.id ?? (await store.tokens.listAuditEvents({ limit: 1 }))[0]?.id ?? 0;
    // Until interrupted: Ctrl-C ends the process; tests (and embedders) pass a signal.
    const aborted = (): boolean => io.signal?.aborted === true;
    while (!aborted()) {
      await sleep(FOLLOW_POLL_MS, io.signal);
      if (aborted()) break;
      const batch = await store.tokens.listAuditEvents({ ...query, afterId: lastId, limit: 1000 });
      print(batch);
      lastId = batch.at(-1)?.id ?? lastId;
    }
    return EXIT_OK;
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

const VERIFY = {
  usage: `Usage: tessera audit verify [--json] [--database URL]

Walks the audit log oldest first and checks its hash chain (written with
TESSERA_AUDIT_CHAIN=on): each row's hash covers the previous row's hash and its own fields, so a
row changed, removed or inserted breaks the chain there. Exits 0 when every chained row links,
1 at the first broken link, which it names. The oldest row left by retention starts the chain.

  --json           print {"ok", "checked", "id", "reason"}
${DATABASE_HELP}
Example:
  tessera audit verify
`,
  options: { ...DATABASE_OPTION, json: { type: "boolean" } },
  positionals: [],
} as const;

async function runVerify(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, VERIFY, io);
  if (!line) return EXIT_OK;
  return withDatabase(io, { databaseUrl: line.values.database, migrate: false }, async (database) => {
    const verdict = await (await database.tessera()).audit.verifyChain();
    if (line.values.json === true) io.stdout.write(`${JSON.stringify(verdict)}\n`);
    else if (verdict.ok) io.stdout.write(`audit chain intact: ${verdict.checked} chained event(s) checked\n`);
    else io.stdout.write(`audit chain broken at event ${verdict.id} (${verdict.reason}); ${verdict.checked} event(s) before it link\n`);
    return verdict.ok ? EXIT_OK : EXIT_FAILED;
  });
}

/**
 * `tessera audit [filters] [--follow]` and `tessera audit verify`: the audit log.
 *
 * @example
 * const code = await run(["--type", "login.failed", "--since", "1h", "--json"], io);
 */
export function run(args: string[], io: CliIo): Promise<number> {
  if (args[0] === "verify") {
    return runVerify(args.slice(1), io).catch((error: unknown) => {
      if (error instanceof UsageError) error.command ??= "audit verify";
      throw error;
    });
  }
  return runList(args, io);
}

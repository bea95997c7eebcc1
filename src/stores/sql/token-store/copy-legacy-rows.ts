import { sql, type Kysely } from "kysely";
import { physicalTable } from "./legacy-layout.js";
import type { TokenMigrationContext } from "./migrations/token-migration.js";
import { withoutTablePrefix } from "./table-prefix-plugin.js";

/**
 * Copies a Tessera 0.1.0 database's token rows into the new tables, inside the caller's
 * transaction: sessions keep their ids, personal access tokens become tokens of kind `pat` with
 * their ids, user ids become text, and `pat` revocation entries become `token` ones. The legacy
 * tables stay: the reference server's own migration drops them once this has run.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function copyLegacyRows(db: Kysely<any>, context: TokenMigrationContext): Promise<void> {
  const { prefix, schema } = context;
  // Raw SQL on identifiers, so both the legacy `sessions` and the new `${prefix}sessions` can be
  // named in one INSERT ... SELECT, the rows never leaving the database.
  const plain = withoutTablePrefix(db);
  const legacy = (name: string) => physicalTable(schema, name);
  const target = (name: string) => physicalTable(schema, `${prefix}${name}`);

  await sql`
    insert into ${target("sessions")} (id, user_id, scope, user_agent, ip, created_at, last_used_at, revoked_at)
    select id, cast(user_id as text), scope, user_agent, ip, created_at, last_used_at, revoked_at
    from ${legacy("sessions")}`.execute(plain);
  await sql`
    insert into ${target("refresh_tokens")} (token_hash, session_id, user_id, created_at, expires_at, spent_at)
    select token_hash, session_id, cast(user_id as text), created_at, expires_at, spent_at
    from ${legacy("refresh_tokens")}`.execute(plain);
  await sql`
    insert into ${target("tokens")} (id, kind, user_id, name, scope, token_hash, created_at, expires_at, last_used_at, revoked_at)
    select id, 'pat', cast(user_id as text), name, scope, token_hash, created_at, expires_at, last_used_at, revoked_at
    from ${legacy("personal_access_tokens")}`.execute(plain);
  await sql`
    insert into ${target("signing_keys")} (kid, alg, private_jwk, public_jwk, created_at, retired_at, expires_at)
    select kid, alg, private_jwk, public_jwk, created_at, retired_at, expires_at
    from ${legacy("signing_keys")}`.execute(plain);
  await sql`
    insert into ${target("revocations")} (kind, value, revoked_at, expires_at)
    select case when kind = 'pat' then 'token' else kind end, value, revoked_at, expires_at
    from ${legacy("revocations")}`.execute(plain);
  await sql`
    insert into ${target("secrets")} (name, value)
    select name, value from ${legacy("secrets")}`.execute(plain);

  await continueIdentities(plain, context);
}

/** Which 0.1.0 table's ids each new identity continues. */
const IDENTITY_SOURCES = [
  { table: "sessions", legacy: "sessions" },
  { table: "tokens", legacy: "personal_access_tokens" },
] as const;

/**
 * Moves each new identity past every id the 0.1.0 table ever handed out, not only past the
 * copied rows: a session or token deleted in 0.1.0 (with its user, or as expired) may still
 * have a live `sid` / `token` revocation entry, and a new row reusing its id would be born
 * revoked.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function continueIdentities(plain: Kysely<any>, { dialect, prefix, schema }: TokenMigrationContext): Promise<void> {
  for (const { table, legacy } of IDENTITY_SOURCES) {
    const target = `${prefix}${table}`;
    if (dialect.name === "postgres") {
      const qualify = (name: string) => `${quoteIdentifier(schema ?? "public")}.${quoteIdentifier(name)}`;
      // pg_sequence_last_value is NULL for a sequence never used.
      await sql`
        select setval(
          pg_get_serial_sequence(${qualify(target)}, 'id'),
          greatest(
            coalesce((select max(id) from ${physicalTable(schema, target)}), 0),
            coalesce(pg_sequence_last_value(cast(pg_get_serial_sequence(${qualify(legacy)}, 'id') as regclass)), 0)
          ) + 1,
          false)`.execute(plain);
    } else {
      // AUTOINCREMENT keeps its high-water mark in sqlite_sequence, which ordinary statements
      // may write. The copy set the new table's mark to its largest id; raise it to the old one's.
      await sql`
        insert into sqlite_sequence (name, seq)
        select ${target}, 0 where not exists (select 1 from sqlite_sequence where name = ${target})`.execute(plain);
      await sql`
        update sqlite_sequence
        set seq = max(seq, coalesce((select seq from sqlite_sequence where name = ${legacy}), 0))
        where name = ${target}`.execute(plain);
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

import type { Insertable, Selectable } from "kysely";
import type { AuditActorType, AuditEventRecord, NewAuditEvent, TokenStore } from "../../../core/token-store.js";
import { readInteger, readNullableInteger } from "./read-integer.js";
import type { TokenStoreContext } from "./token-store-context.js";
import type { TokenAuditEventsTable } from "./token-tables.js";

type AuditQueries = Pick<TokenStore, "appendAuditEvents" | "listAuditEvents" | "deleteAuditEventsBefore">;

/** Rows per INSERT: far below both databases' bound-parameter limits (17 columns each). */
const INSERT_CHUNK = 200;
const ACTOR_TYPES: ReadonlySet<string> = new Set<AuditActorType>(["user", "client", "operator", "anonymous"]);

function toRow(event: NewAuditEvent, prevHash: string | null, hash: string | null): Insertable<TokenAuditEventsTable> {
  return {
    at: event.at,
    type: event.type,
    actor_type: event.actorType,
    actor_id: event.actorId,
    user_id: event.userId,
    client_id: event.clientId,
    session_id: event.sessionId,
    subject: event.subject,
    reason: event.reason,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    via: event.via,
    count: event.count,
    prev_hash: prevHash,
    hash,
  };
}

function toRecord(row: Selectable<TokenAuditEventsTable>): AuditEventRecord {
  return {
    id: readInteger(row.id),
    at: readInteger(row.at),
    type: row.type,
    actorType: (ACTOR_TYPES.has(row.actor_type) ? row.actor_type : "anonymous") as AuditActorType,
    actorId: row.actor_id,
    userId: row.user_id,
    clientId: row.client_id,
    sessionId: readNullableInteger(row.session_id),
    subject: row.subject,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    via: row.via,
    count: readInteger(row.count),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The audit log, for the SQL TokenStore: appended in batches, read with filters and cursors. */
export function createAuditQueries({ db }: TokenStoreContext): AuditQueries {
  return {
    async appendAuditEvents(events, options = {}) {
      if (events.length === 0) return;
      const chain = options.chain;
      await db.transaction().execute(async (trx) => {
        let rows: Insertable<TokenAuditEventsTable>[];
        if (chain === undefined) {
          rows = events.map((event) => toRow(event, null, null));
        } else {
          // Writing the head first takes its row lock (PostgreSQL) or the write lock (SQLite)
          // before it is read: concurrent appenders queue here and extend one chain.
          await trx.updateTable("audit_chain").set((eb) => ({ head: eb.ref("head") })).where("id", "=", 1).execute();
          const current = await trx.selectFrom("audit_chain").select("head").where("id", "=", 1).executeTakeFirst();
          let head = current?.head ?? null;
          rows = events.map((event) => {
            const hash = chain(head, event);
            const row = toRow(event, head, hash);
            head = hash;
            return row;
          });
          await trx.updateTable("audit_chain").set({ head }).where("id", "=", 1).execute();
        }
        for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
          await trx.insertInto("audit_events").values(rows.slice(start, start + INSERT_CHUNK)).execute();
        }
      });
    },

    async listAuditEvents(query) {
      const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 1000);
      let select = db.selectFrom("audit_events").selectAll();
      if (query.userId !== undefined) select = select.where("user_id", "=", query.userId);
      if (query.clientId !== undefined) select = select.where("client_id", "=", query.clientId);
      if (query.subject !== undefined) select = select.where("subject", "=", query.subject);
      if (query.types !== undefined && query.types.length > 0) select = select.where("type", "in", [...query.types]);
      if (query.since !== undefined) select = select.where("at", ">=", query.since);
      if (query.until !== undefined) select = select.where("at", "<", query.until);
      if (query.afterId !== undefined) {
        const rows = await select.where("id", ">", query.afterId).orderBy("id", "asc").limit(limit).execute();
        return rows.map(toRecord);
      }
      if (query.beforeId !== undefined) select = select.where("id", "<", query.beforeId);
      const rows = await select.orderBy("id", "desc").limit(limit).execute();
      return rows.map(toRecord);
    },

    async deleteAuditEventsBefore(before) {
      const result = await db.deleteFrom("audit_events").where("at", "<", before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

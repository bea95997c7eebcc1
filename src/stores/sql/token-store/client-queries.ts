import type { Selectable } from "kysely";
import type { ClientRecord, ClientSecretRecord, TokenStore } from "../../../core/token-store.js";
import { readInteger, readNullableInteger } from "./read-integer.js";
import type { TokenStoreContext } from "./token-store-context.js";
import type { TokenClientSecretsTable, TokenClientsTable } from "./token-tables.js";

type ClientQueries = Pick<
  TokenStore,
  | "createClient"
  | "getClient"
  | "listClients"
  | "revokeClient"
  | "touchClient"
  | "addClientSecret"
  | "listClientSecrets"
  | "revokeClientSecrets"
  | "touchClientSecret"
>;

function toClientRecord(row: Selectable<TokenClientsTable>): ClientRecord {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    ownerId: row.owner_id,
    createdAt: readInteger(row.created_at),
    lastUsedAt: readNullableInteger(row.last_used_at),
    revokedAt: readNullableInteger(row.revoked_at),
  };
}

function toSecretRecord(row: Selectable<TokenClientSecretsTable>): ClientSecretRecord {
  return {
    id: readInteger(row.id),
    clientId: row.client_id,
    secretHash: row.secret_hash,
    createdAt: readInteger(row.created_at),
    lastUsedAt: readNullableInteger(row.last_used_at),
    revokedAt: readNullableInteger(row.revoked_at),
  };
}

/** Machine clients and their secrets, for the SQL TokenStore. */
export function createClientQueries({ db }: TokenStoreContext): ClientQueries {
  return {
    async createClient(client) {
      const row = await db
        .insertInto("clients")
        .values({
          id: client.id,
          name: client.name,
          scope: client.scope,
          owner_id: client.ownerId,
          created_at: client.now,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toClientRecord(row);
    },

    async getClient(id) {
      const row = await db.selectFrom("clients").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : toClientRecord(row);
    },

    async listClients(options = {}) {
      let query = db.selectFrom("clients").selectAll().where("revoked_at", "is", null);
      if (options.ownerId !== undefined) query = query.where("owner_id", "=", options.ownerId);
      const rows = await query.orderBy("created_at", "desc").orderBy("id").execute();
      return rows.map(toClientRecord);
    },

    async revokeClient(id, now) {
      return db.transaction().execute(async (trx) => {
        const row = await trx.updateTable("clients").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).returningAll().executeTakeFirst();
        if (row === undefined) return null;
        await trx.updateTable("client_secrets").set({ revoked_at: now }).where("client_id", "=", id).where("revoked_at", "is", null).execute();
        return toClientRecord(row);
      });
    },

    async touchClient(id, now) {
      await db.updateTable("clients").set({ last_used_at: now }).where("id", "=", id).execute();
    },

    async addClientSecret(secret) {
      const row = await db
        .insertInto("client_secrets")
        .values({ client_id: secret.clientId, secret_hash: secret.secretHash, created_at: secret.now, last_used_at: null, revoked_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSecretRecord(row);
    },

    async listClientSecrets(clientId) {
      const rows = await db
        .selectFrom("client_secrets")
        .selectAll()
        .where("client_id", "=", clientId)
        .where("revoked_at", "is", null)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toSecretRecord);
    },

    async revokeClientSecrets(selector, now) {
      let query = db.updateTable("client_secrets").set({ revoked_at: now }).where("client_id", "=", selector.clientId).where("revoked_at", "is", null);
      if ("secretId" in selector) query = query.where("id", "=", selector.secretId);
      else if (selector.exceptSecretId !== undefined) query = query.where("id", "!=", selector.exceptSecretId);
      const rows = await query.returningAll().execute();
      return rows.map(toSecretRecord).sort((a, b) => a.id - b.id);
    },

    async touchClientSecret(id, now) {
      await db.updateTable("client_secrets").set({ last_used_at: now }).where("id", "=", id).execute();
    },
  };
}

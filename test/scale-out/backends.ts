// PostgreSQL and Redis set-up shared by the scale-out tests: a fresh schema and key prefix per
// test file, both removed afterwards.
import pg from "pg";
import { createTestSchemaName, dropTestSchema } from "../support/postgres.js";
import { createTestKeyPrefix, deleteKeysByPrefix } from "../support/redis.js";

/** `url` with `?schema=` set (the store creates the schema when it migrates). */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("schema", schema);
  return parsed.toString();
}

export interface ScaleOutBackends {
  schema: string;
  keyPrefix: string;
  /** The environment of an instance over these backends. */
  env: Record<string, string>;
  /** Drops the schema and deletes the keys. */
  cleanUp(): Promise<void>;
}

/** A fresh schema on `pgUrl` and a fresh key prefix on `redisUrl`. */
export function createScaleOutBackends(pgUrl: string, redisUrl: string, cleanupRedisUrls: string[] = [redisUrl]): ScaleOutBackends {
  const schema = createTestSchemaName();
  const keyPrefix = createTestKeyPrefix();
  return {
    schema,
    keyPrefix,
    env: {
      TESSERA_DATABASE_URL: withSchema(pgUrl, schema),
      TESSERA_REDIS_URL: redisUrl,
      TESSERA_REDIS_KEY_PREFIX: keyPrefix,
    },
    cleanUp: async () => {
      await dropTestSchema(pgUrl, schema);
      for (const url of cleanupRedisUrls) await deleteKeysByPrefix(url, keyPrefix).catch(() => 0);
    },
  };
}

/** Rows of Kysely's migration table in `schema`, by migration name. */
export async function countMigrationRows(pgUrl: string, schema: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const result = await client.query<{ name: string; count: string }>(
      `select name, count(*) as count from "${schema}".kysely_migration group by name order by name`,
    );
    return new Map(result.rows.map((row) => [row.name, Number(row.count)]));
  } finally {
    await client.end();
  }
}

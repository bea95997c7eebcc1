// The parts of `npm run chaos` that fit in `npm test` (under two minutes together): crash
// durability on SQLite with a few kill -9s, SIGTERM under load, and, when PostgreSQL and
// redis-server are here, the PostgreSQL outage through a proxy and the Redis outage, all with
// shorter outages than the full suite. Each scenario's own checks are the assertions.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { ScenarioReport } from "../../chaos/harness.js";
import { crashDurability } from "../../chaos/scenarios/crash-durability.js";
import { gracefulShutdown } from "../../chaos/scenarios/graceful-shutdown.js";
import { postgresOutage } from "../../chaos/scenarios/postgres-outage.js";
import { redisOutage } from "../../chaos/scenarios/redis-outage.js";
import { createTestSchemaName, dropTestSchema, requireTestPostgres } from "../support/postgres.js";
import { requirePrivateRedis } from "../support/redis.js";

function assertPassed(report: ScenarioReport): void {
  const failed = report.checks.filter((check) => !check.ok);
  assert.deepEqual(failed, [], `${report.name}: ${JSON.stringify(report.figures)}`);
}

test("crash durability on SQLite: 3 x kill -9 under writes, nothing acknowledged lost", { timeout: 120_000 }, async () => {
  assertPassed(await crashDurability({ store: "sqlite", kills: 3, seed: 11 }));
});

test("SIGTERM under load: exit 0, no 5xx for a request the server read, nothing lost", { timeout: 120_000 }, async () => {
  assertPassed(await gracefulShutdown({ seed: 12, rounds: 1 }));
});

const pgUrl = await requireTestPostgres();
if (pgUrl !== null) {
  const schemas: string[] = [];
  after(async () => {
    for (const schema of schemas) await dropTestSchema(pgUrl, schema);
  });
  test("PostgreSQL outage through a proxy (refused, dropped packets): bounded 503s, memory answers, recovery", { timeout: 120_000 }, async () => {
    const schema = createTestSchemaName();
    schemas.push(schema);
    assertPassed(await postgresOutage({ postgresUrl: pgUrl, schema, outageMs: 2_000 }));
  });

  const startRedis = await requirePrivateRedis();
  if (startRedis !== null) {
    test("Redis outage with two instances: no 5xx, revocation within 1 s, recovery within 5 s", { timeout: 120_000 }, async () => {
      const redis = await startRedis();
      const schema = createTestSchemaName();
      schemas.push(schema);
      try {
        assertPassed(await redisOutage({ postgresUrl: pgUrl, schema, redis, outageMs: 3_000 }));
      } finally {
        await redis.stop();
      }
    });
  }
}

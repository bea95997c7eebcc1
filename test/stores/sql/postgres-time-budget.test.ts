// Every wait of a store call on PostgreSQL (pool acquire, connect, each query, the rollback after
// a failure) shares one budget, TESSERA_DATABASE_TIMEOUT: with the database unreachable by
// dropped packets (a proxy that accepts and then forwards nothing, not a refused port) a call
// ends within the budget in total, as BackendUnavailableError, and the store recovers by itself.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { BackendUnavailableError } from "../../../src/core/errors.js";
import { createPostgresDialect } from "../../../src/stores/sql/postgres-dialect.js";
import { openTokenStore, type SqlTokenStore } from "../../../src/stores/index.js";
import { createTestSchemaName, dropTestSchema, requireTestPostgres } from "../../support/postgres.js";
import { startTcpProxy, type TcpProxy } from "../../scale-out/tcp-proxy.js";

const BUDGET_MS = 2_000;
/**
 * Under the old per-wait timeouts a transaction on a hung connection waited twice (BEGIN, then
 * ROLLBACK) and a queued call waited for the pool and then for its query: 2x the budget. The
 * margin below the budget's double absorbs a loaded machine.
 */
const BOUND_MS = BUDGET_MS + 1_500;

const pgUrl = await requireTestPostgres();
if (pgUrl !== null) {
  describe("PostgreSQL store calls under a time budget", () => {
    let proxy: TcpProxy;
    let store: SqlTokenStore;
    const schema = createTestSchemaName();
    const session = (n: number) => ({
      userId: `u${n}`,
      scope: "",
      userAgent: null,
      ip: null,
      now: Date.now(),
      refreshTokenHash: `${n}`.padStart(64, "0"),
      refreshExpiresAt: Date.now() + 60_000,
    });

    before(async () => {
      const target = new URL(pgUrl);
      proxy = await startTcpProxy(target.hostname, Number(target.port || "5432"));
      const viaProxy = new URL(pgUrl);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxy.port);
      store = await openTokenStore(viaProxy.toString(), { schema, poolSize: 2, connectionTimeoutMs: BUDGET_MS });
      await store.migrate();
    });
    after(async () => {
      await proxy.restore();
      await store.close();
      await proxy.close();
      await dropTestSchema(pgUrl, schema);
    });

    test("dropped packets: a transaction on a pooled connection and calls queued for the pool end within the budget", async () => {
      // Two pooled connections, open and idle, before the network goes quiet.
      await Promise.all([store.createSession(session(1)), store.createSession(session(2))]);
      proxy.silence();
      try {
        const started = Date.now();
        const calls = [store.createSession(session(3)), store.createSession(session(4)), store.getSession(1), store.listRevocations({ now: Date.now() })];
        const outcomes = await Promise.allSettled(calls.map(async (call) => {
          await call;
          return Date.now() - started;
        }));
        const elapsed = Date.now() - started;
        for (const outcome of outcomes) {
          assert.equal(outcome.status, "rejected");
          assert.ok(outcome.reason instanceof BackendUnavailableError, String(outcome.reason));
        }
        assert.ok(elapsed < BOUND_MS, `the calls took ${elapsed} ms with a budget of ${BUDGET_MS} ms`);
      } finally {
        await proxy.restore();
      }
    });

    test("a statement stuck inside a transaction: the call, its rollback included, ends within the budget", async () => {
      // Another connection holds the sessions table: createSession's INSERT waits inside its
      // transaction. Per-wait timeouts gave up on the INSERT, then waited as long again for the
      // ROLLBACK queued behind it on the same connection.
      const holder = new pg.Client({ connectionString: pgUrl });
      await holder.connect();
      try {
        await holder.query("begin");
        await holder.query(`lock table "${schema}".tessera_sessions in access exclusive mode`);
        const started = Date.now();
        const outcome = await store.createSession(session(6)).then(() => null, (error: unknown) => error);
        const elapsed = Date.now() - started;
        assert.ok(outcome instanceof BackendUnavailableError, String(outcome));
        assert.ok(elapsed < BOUND_MS, `the call took ${elapsed} ms with a budget of ${BUDGET_MS} ms`);
      } finally {
        await holder.query("rollback").catch(() => undefined);
        await holder.end();
      }
      // Nothing of the abandoned transaction was written.
      assert.equal(await store.getRefreshToken(session(6).refreshTokenHash), null);
    });

    test("after the network returns, the store answers again (no hung connection is reused)", async () => {
      // The proxy dropped the quiet connections on restore; let their close events arrive.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const created = await store.createSession(session(5));
      assert.equal((await store.getSession(created.id))?.userId, "u5");
    });

    test("dropped packets on a fresh pool: the connect itself ends within the budget", async () => {
      await store.close();
      const viaProxy = new URL(pgUrl);
      viaProxy.hostname = "127.0.0.1";
      viaProxy.port = String(proxy.port);
      store = await openTokenStore(viaProxy.toString(), { schema, poolSize: 1, connectionTimeoutMs: BUDGET_MS });
      proxy.silence();
      try {
        const started = Date.now();
        const results = await Promise.allSettled([store.getSession(1), store.getSession(2)]);
        const elapsed = Date.now() - started;
        for (const result of results) assert.ok(result.status === "rejected" && result.reason instanceof BackendUnavailableError);
        assert.ok(elapsed < BOUND_MS, `the calls took ${elapsed} ms with a budget of ${BUDGET_MS} ms`);
      } finally {
        await proxy.restore();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Sessions 1 and 2 were created concurrently, in either order.
      assert.match((await store.getSession(1))?.userId ?? "none", /^u[12]$/);
    });

    test("a client whose connection failed ('not queryable') reads as the database being unavailable", async () => {
      const client = new pg.Client({ connectionString: pgUrl.replace(/:\/\/([^@/]*@)?[^/]+\//, `://$1127.0.0.1:${proxy.port}/`) });
      client.on("error", () => undefined);
      await client.connect();
      await proxy.refuse();
      try {
        await new Promise<void>((resolve) => {
          if (!(client as unknown as { _queryable: boolean })._queryable) resolve();
          else client.once("error", () => resolve()).once("end", () => resolve());
        });
        const error = await client.query("select 1").then(() => null, (caught: unknown) => caught);
        assert.ok(error instanceof Error, "the query fails");
        assert.match(error.message, /not queryable|terminated/i);
        assert.equal(createPostgresDialect(undefined).isUnavailable(error), true, error.message);
      } finally {
        await proxy.restore();
        await client.end().catch(() => undefined);
      }
    });
  });
}

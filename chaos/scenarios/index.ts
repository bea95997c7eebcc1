// Every scenario of `npm run chaos`, in the order they run.
import type { PrivateRedis } from "../../test/support/redis.js";
import type { ScenarioReport } from "../harness.js";
import { crashDurability } from "./crash-durability.js";
import { gracefulShutdown } from "./graceful-shutdown.js";
import { postgresOutage } from "./postgres-outage.js";
import { redisOutage } from "./redis-outage.js";
import { slowClients } from "./slow-clients.js";

/** What the runner provides: the backends (null when unavailable) and the run's seed. */
export interface ChaosEnvironment {
  postgresUrl: string | null;
  redis: PrivateRedis | null;
  seed: number;
  /** Shorter outages and loads (the figures are then not the documented ones). */
  quick: boolean;
  /** A fresh PostgreSQL schema name, dropped when the run ends. */
  newSchema(): string;
}

export interface ChaosScenario {
  name: string;
  run(environment: ChaosEnvironment): Promise<ScenarioReport>;
}

const unavailable = (name: string, what: string): ScenarioReport => ({ name, figures: {}, checks: [{ what: `${what} is available`, ok: false }] });

export const chaosScenarios: ChaosScenario[] = [
  {
    name: "crash-sqlite",
    run: (environment) => crashDurability({ store: "sqlite", kills: 10, seed: environment.seed }),
  },
  {
    name: "crash-postgres",
    run: async (environment) => {
      if (environment.postgresUrl === null || environment.redis === null) return unavailable("crash durability (postgres + redis)", "PostgreSQL and redis-server");
      return crashDurability({ store: "postgres", kills: 5, seed: environment.seed, postgresUrl: environment.postgresUrl, redisUrl: environment.redis.url, schema: environment.newSchema() });
    },
  },
  {
    name: "postgres-outage",
    run: async (environment) => {
      if (environment.postgresUrl === null) return unavailable("PostgreSQL outage", "PostgreSQL");
      return postgresOutage({ postgresUrl: environment.postgresUrl, schema: environment.newSchema(), outageMs: environment.quick ? 3_000 : 10_000 });
    },
  },
  {
    name: "redis-outage",
    run: async (environment) => {
      if (environment.postgresUrl === null || environment.redis === null) return unavailable("Redis outage", "PostgreSQL and redis-server");
      return redisOutage({ postgresUrl: environment.postgresUrl, schema: environment.newSchema(), redis: environment.redis, outageMs: environment.quick ? 4_000 : 10_000 });
    },
  },
  {
    name: "graceful-shutdown",
    run: (environment) => gracefulShutdown({ seed: environment.seed, rounds: environment.quick ? 2 : 5 }),
  },
  {
    name: "slow-clients",
    run: (environment) => slowClients(environment.quick ? { slowConnections: 50, trickleMs: 8_000, idleConnections: 500 } : { slowConnections: 200, trickleMs: 60_000, idleConnections: 2_000 }),
  },
];

// Tessera reference server scenarios. Each spawns `node dist/cli/main.js serve` pinned to the
// server core, waits for /healthz, creates a bench user over the HTTP API and measures.
//
// Everything Tessera-specific in the HTTP bench lives in this file; the scenarios speak the
// HTTP contract only (register, log in, refresh, create a PAT, GET /api/me).
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { findFreePort, REPO_ROOT, startPolledServer } from "../lib/processes.js";
import type { HttpScenario, RequestSpec, ScenarioContext, StartedTarget } from "../lib/types.js";
import { FASTIFY_PEER_SCENARIO } from "./peers.js";

/** Names the report uses for ratios and targets. */
export const TESSERA_SCENARIOS = {
  accessWarm: "tessera access token warm",
  accessCold: "tessera access token cold",
  patWarm: "tessera PAT warm",
  loginStorm: "tessera p99 during login storm",
} as const;

const STORM_CONNECTIONS = 8;

interface Backend {
  label: "sqlite" | "postgres+redis";
  unavailableReason(ctx: ScenarioContext): Promise<string | null>;
  /** Creates a fresh database for one server start; returns its env and how to remove it. */
  prepare(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>;
}

const sqliteBackend: Backend = {
  label: "sqlite",
  unavailableReason: () => Promise.resolve(null),
  async prepare() {
    const dir = await mkdtemp(join(tmpdir(), "tessera-bench-"));
    return {
      env: { TESSERA_DATABASE_URL: `sqlite:${join(dir, "tessera.db")}` },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

// A server the bench may create throwaway databases on; override for other setups.
const POSTGRES_ADMIN_URL = process.env.TESSERA_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
// Database 13 keeps bench keys away from anything using the default database 0.
const REDIS_URL = process.env.TESSERA_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/13";

function probeTcp(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const postgresBackend: Backend = {
  label: "postgres+redis",
  async unavailableReason(ctx) {
    // Keeps --quick near a minute; the embedded SQLite shape is the default deployment.
    if (ctx.quick) return "not run with --quick (SQLite variants only)";
    const [postgresUp, redisUp] = await Promise.all([probeTcp(POSTGRES_ADMIN_URL), probeTcp(REDIS_URL)]);
    if (!postgresUp) return "PostgreSQL not reachable (set TESSERA_BENCH_POSTGRES_URL)";
    if (!redisUp) return "Redis not reachable (set TESSERA_BENCH_REDIS_URL)";
    return null;
  },
  async prepare() {
    const name = `tessera_bench_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${name}`;
    return {
      env: { TESSERA_DATABASE_URL: url.toString(), TESSERA_REDIS_URL: REDIS_URL },
      async cleanup() {
        const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  },
};

function tesseraUnavailableReason(): string | null {
  return existsSync(join(REPO_ROOT, SERVER_ENTRY)) ? null : `${SERVER_ENTRY} is missing (npm run build)`;
}

// The compiled CLI, as an installed server runs it. bin/tessera.mjs would run the sources
// through tsx in a checkout, whose keepNames wrapper costs every closure made per request.
const SERVER_ENTRY = "dist/cli/main.js";

async function startTessera(backend: Backend, ctx: ScenarioContext, extraEnv: Record<string, string> = {}): Promise<StartedTarget> {
  const database = await backend.prepare();
  const port = await findFreePort();
  try {
    return await startPolledServer({
      command: [process.execPath, SERVER_ENTRY, "serve"],
      pin: ctx.serverPin,
      port,
      env: {
        ...database.env,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(port),
        // Per-request info logs would measure the logger; the peers log nothing either.
        TESSERA_LOG_LEVEL: "warn",
        // The load generator is one client with one token: the per-token and login limits
        // would turn the measurement into a 429 benchmark.
        TESSERA_REQUEST_LIMIT_TOKEN: "off",
        TESSERA_LOGIN_LIMIT_IP: "off",
        TESSERA_LOGIN_LIMIT_ACCOUNT: "off",
        // Setting up a scenario signs a user up and mints 1,000 tokens through refresh from one address.
        TESSERA_SIGNUP_LIMIT_IP: "off",
        TESSERA_TOKEN_ENDPOINT_LIMIT_IP: "off",
        // Shared counters (Redis) of one server start never meet another's.
        TESSERA_REDIS_KEY_PREFIX: `tessera-bench-${randomBytes(6).toString("hex")}:`,
        ...extraEnv,
      },
      cleanup: database.cleanup,
    });
  } catch (error) {
    await database.cleanup();
    throw error;
  }
}

interface BenchUser {
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

async function callJson(target: StartedTarget, path: string, init: RequestInit, expectedStatus: number): Promise<unknown> {
  const response = await fetch(target.url + path, init);
  const text = await response.text();
  if (response.status !== expectedStatus) {
    // The body is a problem document (no secrets by contract); the status and code are what matter.
    throw new Error(`${init.method ?? "GET"} ${path} answered ${response.status}, expected ${expectedStatus}: ${text.slice(0, 200)}`);
  }
  return text === "" ? null : (JSON.parse(text) as unknown);
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

function readTokenPair(body: unknown): { accessToken: string; refreshToken: string } {
  const pair = body as { access_token?: unknown; refresh_token?: unknown };
  if (typeof pair.access_token !== "string" || typeof pair.refresh_token !== "string") {
    throw new Error("token response lacks access_token or refresh_token");
  }
  return { accessToken: pair.access_token, refreshToken: pair.refresh_token };
}

async function logIn(target: StartedTarget, username: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  const body = await callJson(target, "/api/tokens", { method: "POST", headers: { authorization: basicHeader(username, password) } }, 200);
  return readTokenPair(body);
}

// Keyed by the target object, not its URL: a later server may get the same port.
const users = new WeakMap<StartedTarget, Promise<BenchUser>>();

/** One bench user per started server, created on first use. */
function ensureBenchUser(target: StartedTarget): Promise<BenchUser> {
  let user = users.get(target);
  if (user === undefined) {
    user = (async () => {
      const username = `bench_${randomBytes(6).toString("hex")}`;
      const password = randomBytes(18).toString("base64url");
      await callJson(
        target,
        "/api/users",
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username, password }) },
        201,
      );
      return { username, password, ...(await logIn(target, username, password)) };
    })();
    users.set(target, user);
  }
  return user;
}

/** Mints `count` distinct valid access tokens by walking a few refresh chains (no password hash per token). */
async function mintAccessTokens(target: StartedTarget, count: number): Promise<string[]> {
  const user = await ensureBenchUser(target);
  const chains = 4;
  const perChain = Math.ceil(count / chains);
  const lists = await Promise.all(
    Array.from({ length: chains }, async () => {
      let { accessToken, refreshToken } = await logIn(target, user.username, user.password);
      const tokens = [accessToken];
      while (tokens.length < perChain) {
        const body = await callJson(
          target,
          "/api/tokens/refresh",
          { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token: refreshToken }) },
          200,
        );
        ({ accessToken, refreshToken } = readTokenPair(body));
        tokens.push(accessToken);
      }
      return tokens;
    }),
  );
  return lists.flat().slice(0, count);
}

async function createPersonalAccessToken(target: StartedTarget): Promise<string> {
  const user = await ensureBenchUser(target);
  const body = (await callJson(
    target,
    "/api/me/tokens",
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.accessToken}` },
      body: JSON.stringify({ name: "bench", scope: "users:read posts:read" }),
    },
    201,
  )) as { token?: unknown };
  if (typeof body.token !== "string") throw new Error("PAT response lacks token");
  return body.token;
}

function meRequest(token: string): RequestSpec {
  return { method: "GET", path: "/api/me", headers: { authorization: `Bearer ${token}` } };
}

function scenariosFor(backend: Backend): HttpScenario[] {
  const suffix = ` (${backend.label})`;
  const unavailableReason = async (ctx: ScenarioContext): Promise<string | null> =>
    tesseraUnavailableReason() ?? (await backend.unavailableReason(ctx));
  const start = (ctx: ScenarioContext): Promise<StartedTarget> => startTessera(backend, ctx);
  return [
    {
      name: TESSERA_SCENARIOS.accessWarm + suffix,
      group: "tessera",
      peer: FASTIFY_PEER_SCENARIO,
      description: "GET /api/me, the same access token on every request",
      unavailableReason,
      start,
      request: async (target) => meRequest((await ensureBenchUser(target)).accessToken),
    },
    {
      name: TESSERA_SCENARIOS.accessCold + suffix,
      group: "tessera",
      peer: FASTIFY_PEER_SCENARIO,
      description: "GET /api/me, a different valid access token on each request (round-robin over N), verified-token cache off",
      unavailableReason,
      // Round-robin over N tokens would hit the verified-token cache after the first pass; with
      // the cache off every request pays the full signature verification, as a first-seen token does.
      start: (ctx: ScenarioContext) => startTessera(backend, ctx, { TESSERA_TOKEN_CACHE_SIZE: "0" }),
      request: async (target, ctx) => ({
        method: "GET",
        path: "/api/me",
        rotateBearerTokens: await mintAccessTokens(target, ctx.coldTokenCount),
      }),
    },
    {
      name: TESSERA_SCENARIOS.patWarm + suffix,
      group: "tessera",
      peer: FASTIFY_PEER_SCENARIO,
      description: "GET /api/me, the same personal access token on every request",
      unavailableReason,
      start,
      request: async (target) => meRequest(await createPersonalAccessToken(target)),
    },
    {
      name: TESSERA_SCENARIOS.loginStorm + suffix,
      group: "tessera",
      peer: FASTIFY_PEER_SCENARIO,
      description: `GET /api/me (warm token) while ${STORM_CONNECTIONS} connections hammer POST /api/tokens with Basic credentials`,
      unavailableReason,
      start,
      request: async (target) => meRequest((await ensureBenchUser(target)).accessToken),
      background: async (target) => {
        const user = await ensureBenchUser(target);
        return {
          name: "POST /api/tokens (Basic)",
          connections: STORM_CONNECTIONS,
          request: { method: "POST", path: "/api/tokens", headers: { authorization: basicHeader(user.username, user.password) } },
        };
      },
    },
  ];
}

/** Tessera scenarios, SQLite first (the embedded default), then PostgreSQL + Redis. */
export const tesseraScenarios: HttpScenario[] = [...scenariosFor(sqliteBackend), ...scenariosFor(postgresBackend)];

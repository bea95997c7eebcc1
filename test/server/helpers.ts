import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildApp, type AppExtensions } from "../../src/server/app.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../../src/core/passwords/index.js";
import { loadConfig } from "../../src/server/config.js";
import { openServerDatabase } from "../../src/server/server-database.js";
import { createTestSchemaName, dropTestSchema, readTestPostgresUrl } from "../support/postgres.js";

export const PASSWORD = "correct horse battery staple";

/**
 * Which database the server tests run on: `sqlite::memory:` by default; with
 * TESSERA_TEST_SERVER_DATABASE=postgres (the second pass of `npm test`), a fresh PostgreSQL
 * schema per app, dropped when the app closes.
 */
async function defaultDatabase(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (process.env["TESSERA_TEST_SERVER_DATABASE"] !== "postgres") return { url: "sqlite::memory:", cleanup: async () => {} };
  const base = readTestPostgresUrl();
  const schema = createTestSchemaName();
  const url = `${base}${base.includes("?") ? "&" : "?"}schema=${schema}`;
  return { url, cleanup: () => dropTestSchema(base, schema) };
}

/**
 * A fresh server with an admin `root` (password {@link PASSWORD}) inserted through the store, as
 * `tessera users create --admin` does: no API creates admins. On a temporary SQLite file (the
 * admin is written by a second connection) or, in the PostgreSQL pass, a fresh schema.
 */
export async function makeAppWithAdmin(env: Record<string, string> = {}, extensions: AppExtensions = {}): Promise<FastifyInstance> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (process.env["TESSERA_TEST_SERVER_DATABASE"] === "postgres") {
    ({ url, cleanup } = await defaultDatabase());
  } else {
    const dir = await mkdtemp(join(tmpdir(), "tessera-admin-"));
    url = `sqlite:${join(dir, "tessera.db")}`;
    cleanup = () => rm(dir, { recursive: true, force: true });
  }
  const app = await makeApp({ ...env, TESSERA_DATABASE_URL: url }, extensions);
  app.addHook("onClose", cleanup);
  const store = await openServerDatabase(url);
  try {
    await store.users.createUser({ username: "root", passwordHash: await hashPassword(PASSWORD), isAdmin: true, now: Date.now() });
  } finally {
    await store.close();
  }
  return app;
}

/** A fresh server with test-friendly defaults; `env` overrides any variable. */
export async function makeApp(env: Record<string, string> = {}, extensions: AppExtensions = {}): Promise<FastifyInstance> {
  const database = env["TESSERA_DATABASE_URL"] === undefined ? await defaultDatabase() : { url: env["TESSERA_DATABASE_URL"], cleanup: async () => {} };
  // The per-IP abuse limits count every request from inject()'s one address; suites that are not
  // about them turn them off (test/regressions/abuse-limits.test.ts sets them).
  const quiet = { TESSERA_SIGNUP_LIMIT_IP: "off", TESSERA_TOKEN_ENDPOINT_LIMIT_IP: "off", TESSERA_BAD_TOKEN_LIMIT_IP: "off" };
  const config = loadConfig({ TESSERA_LOG_LEVEL: "silent", ...quiet, ...env, TESSERA_DATABASE_URL: database.url });
  const app = await buildApp(config, { logger: false, ...extensions });
  app.addHook("onClose", async () => {
    await database.cleanup();
  });
  return app;
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export async function register(app: FastifyInstance, username: string, password = PASSWORD): Promise<{ id: number; username: string }> {
  const response = await app.inject({ method: "POST", url: "/api/users", payload: { username, password } });
  if (response.statusCode !== 201) throw new Error(`register ${username}: ${response.statusCode} ${response.body}`);
  return response.json<{ id: number; username: string }>();
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

export async function login(app: FastifyInstance, username: string, password = PASSWORD, scope?: string): Promise<TokenResponse> {
  const response = await app.inject({
    method: "POST",
    url: "/api/tokens",
    headers: { authorization: basic(username, password) },
    ...(scope === undefined ? {} : { payload: { scope } }),
  });
  if (response.statusCode !== 200) throw new Error(`login ${username}: ${response.statusCode} ${response.body}`);
  return response.json<TokenResponse>();
}

/** Asserts nothing; returns the parsed problem body and checks its media type shape. */
export function problem(response: LightMyRequestResponse): { status: number; code: string; title: string; type: string; detail?: string } {
  return response.json();
}

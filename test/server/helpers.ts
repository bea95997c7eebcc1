import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildApp, type AppExtensions } from "../../src/server/app.js";
import { loadConfig } from "../../src/server/config.js";

export const PASSWORD = "correct horse battery staple";

/** A fresh in-memory server with test-friendly defaults; `env` overrides any variable. */
export async function makeApp(env: Record<string, string> = {}, extensions: AppExtensions = {}): Promise<FastifyInstance> {
  const config = loadConfig({ TESSERA_DATABASE_URL: "sqlite::memory:", TESSERA_LOG_LEVEL: "silent", ...env });
  return buildApp(config, { logger: false, ...extensions });
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

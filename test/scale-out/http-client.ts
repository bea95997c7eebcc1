// A tiny HTTP client over real sockets for the scale-out tests (fetch, bounded by a timeout).
import { callJson, type CallOptions, type Reply } from "../support/json-client.js";
import type { Instance } from "./instances.js";

export const PASSWORD = "correct horse battery staple";

export type { CallOptions, Reply };

/** One request to `instance`; JSON in and out. Rejects only when no answer arrives in time. */
export function call(instance: Instance, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  return callJson(instance.url, method, path, options);
}

/** Creates a user (201) and returns its id. */
export async function registerUser(instance: Instance, username: string): Promise<number> {
  const reply = await call(instance, "POST", "/api/users", { body: { username, password: PASSWORD } });
  if (reply.status !== 201) throw new Error(`register ${username} on ${instance.name}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body["id"] as number;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** Logs in with HTTP Basic (200) and returns the pair. */
export async function logIn(instance: Instance, username: string, password = PASSWORD): Promise<Tokens> {
  const reply = await call(instance, "POST", "/api/tokens", { basic: { username, password } });
  if (reply.status !== 200) throw new Error(`login ${username} on ${instance.name}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return { accessToken: reply.body["access_token"] as string, refreshToken: reply.body["refresh_token"] as string };
}

/**
 * Polls `GET path` on `instance` with `token` until it answers 401 `token_revoked`; resolves to
 * the ms it took, or throws after `timeoutMs` with what it last saw.
 */
export async function waitForRejection(instance: Instance, token: string, timeoutMs: number, path = "/api/me"): Promise<number> {
  const started = Date.now();
  let last: Reply | undefined;
  while (Date.now() - started <= timeoutMs) {
    last = await call(instance, "GET", path, { token });
    if (last.status === 401 && last.body["code"] === "token_revoked") return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${instance.name} still answered ${last?.status ?? "nothing"} ${JSON.stringify(last?.body)} after ${timeoutMs} ms`);
}

/** The body of `/readyz`, with its status. */
export async function readiness(instance: Instance): Promise<{ status: number; checks: Record<string, string> }> {
  const reply = await call(instance, "GET", "/readyz", { timeoutMs: 5_000 });
  return { status: reply.status, checks: (reply.body["checks"] ?? {}) as Record<string, string> };
}

// What an app that adopted Tessera must do over real HTTP, whatever its framework: log in with
// an imported bcrypt hash (re-hashed to argon2id), reach scoped routes, refresh, log out, and
// manage personal access tokens.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";

export interface AdoptedApp {
  url: string;
  /** Inserts a user into the app's own table. */
  addUser(id: string, username: string, passwordHash: string): Promise<void>;
  /** The user's stored hash, as the app's table has it now. */
  passwordHashOf(id: string): Promise<string>;
}

async function call(app: AdoptedApp, method: string, path: string, options: { token?: string; basic?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
  if (options.basic !== undefined) headers["authorization"] = `Basic ${Buffer.from(options.basic).toString("base64")}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(app.url + path, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

export async function runAdoptionScenario(app: AdoptedApp): Promise<void> {
  const id = randomUUID();
  await app.addUser(id, "ada", bcrypt.hashSync("correct horse battery", 4));

  // Login with HTTP Basic: the imported bcrypt hash verifies and is replaced by argon2id.
  const wrong = await call(app, "POST", "/api/tokens", { basic: "ada:wrong password" });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body?.["code"], "credentials_invalid");
  assert.match(wrong.headers.get("www-authenticate") ?? "", /^Basic /);
  const login = await call(app, "POST", "/api/tokens", { basic: "ada:correct horse battery" });
  assert.equal(login.status, 200);
  assert.equal(login.headers.get("cache-control"), "no-store");
  assert.equal(login.body?.["token_type"], "Bearer");
  assert.equal(login.body?.["scope"], "notes:read notes:write");
  assert.match(await app.passwordHashOf(id), /^\$argon2id\$/);
  const access = String(login.body?.["access_token"]);
  const refreshToken = String(login.body?.["refresh_token"]);

  // Scoped routes: the app's own user reaches the handler, typed.
  const missing = await call(app, "GET", "/api/notes");
  assert.equal(missing.status, 401);
  assert.equal(missing.body?.["code"], "token_missing");
  assert.match(missing.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const created = await call(app, "POST", "/api/notes", { token: access, body: { body: "hello" } });
  assert.equal(created.status, 201);
  const listed = await call(app, "GET", "/api/notes", { token: access });
  assert.equal(listed.status, 200);
  assert.deepEqual((listed.body as unknown as { body: string }[]).map((note) => note.body), ["hello"]);

  // A JSON login asking for less scope cannot write.
  const readOnly = await call(app, "POST", "/api/tokens", { body: { username: "ada", password: "correct horse battery", scope: "notes:read" } });
  assert.equal(readOnly.status, 200);
  const refused = await call(app, "POST", "/api/notes", { token: String(readOnly.body?.["access_token"]), body: { body: "no" } });
  assert.equal(refused.status, 403);
  assert.equal(refused.body?.["code"], "insufficient_scope");
  assert.match(refused.headers.get("www-authenticate") ?? "", /error="insufficient_scope"/);

  // Refresh: a new pair; the old refresh token is spent.
  const refreshed = await call(app, "POST", "/api/tokens/refresh", { body: { refresh_token: refreshToken } });
  assert.equal(refreshed.status, 200);
  const access2 = String(refreshed.body?.["access_token"]);
  assert.equal((await call(app, "GET", "/api/notes", { token: access2 })).status, 200);

  // Personal access tokens: created right after login without a password, listed, used, revoked.
  const pat = await call(app, "POST", "/api/me/tokens", { token: access2, body: { name: "ci", scope: "notes:read" } });
  assert.equal(pat.status, 201);
  const patToken = String(pat.body?.["token"]);
  assert.match(patToken, /^tsr_pat_/);
  assert.notEqual(pat.body?.["expires_at"], null);
  const viaPat = await call(app, "GET", "/api/notes", { token: patToken });
  assert.equal(viaPat.status, 200);
  const patCannotMint = await call(app, "POST", "/api/me/tokens", { token: patToken, body: { name: "x" } });
  assert.equal(patCannotMint.status, 403);
  const tokens = await call(app, "GET", "/api/me/tokens", { token: access2 });
  assert.equal(tokens.status, 200);
  assert.deepEqual((tokens.body as unknown as { name: string; token?: string }[]).map((token) => [token.name, token.token]), [["ci", undefined]]);
  const revokePat = await call(app, "DELETE", `/api/me/tokens/${String(pat.body?.["id"])}`, { token: access2 });
  assert.equal(revokePat.status, 204);
  const deadPat = await call(app, "GET", "/api/notes", { token: patToken });
  assert.equal(deadPat.status, 401);
  assert.equal(deadPat.body?.["code"], "token_revoked");

  // Logout: the access token and its session die; the refresh token of that session too.
  const logout = await call(app, "DELETE", "/api/tokens", { token: access2 });
  assert.equal(logout.status, 204);
  const afterLogout = await call(app, "GET", "/api/notes", { token: access2 });
  assert.equal(afterLogout.status, 401);
  assert.equal(afterLogout.body?.["code"], "token_revoked");
  const refreshAfterLogout = await call(app, "POST", "/api/tokens/refresh", { body: { refresh_token: String(refreshed.body?.["refresh_token"]) } });
  assert.equal(refreshAfterLogout.status, 401);
}

/** Non-blank, non-comment lines between `// auth:begin` and `// auth:end` of an app file. */
export function authCodeLines(file: URL): number {
  const text = readFileSync(file, "utf8");
  const begin = text.indexOf("// auth:begin");
  const end = text.indexOf("// auth:end");
  assert.ok(begin !== -1 && end > begin, "the app marks its auth code");
  return text
    .slice(begin, end)
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "" && !line.trim().startsWith("//")).length;
}

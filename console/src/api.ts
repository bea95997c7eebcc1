// The console's only link to the server. The access token lives in this module's memory and
// nowhere else (no localStorage, no sessionStorage); the refresh token is an HttpOnly cookie the
// page never sees, sent by the browser to /api/console/session only.

/** Who is logged in, as the console session endpoints say. */
export interface ConsoleUser {
  id: number;
  username: string;
  is_admin: boolean;
}

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

interface SessionBody {
  access_token: string;
  expires_in: number;
  scope: string;
  user: ConsoleUser;
}

interface Session {
  accessToken: string;
  /** Epoch ms a little before the token's expiry: refresh from then on. */
  refreshAt: number;
  scopes: string[];
  user: ConsoleUser;
}

const CSRF_HEADERS = { "x-tessera-console": "1" } as const;

let session: Session | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(user: ConsoleUser | null) => void>();

/** Called whenever the logged-in user changes (login, logout, a session that ended). */
export function onSessionChange(listener: (user: ConsoleUser | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setSession(body: SessionBody | null): void {
  session =
    body === null
      ? null
      : {
          accessToken: body.access_token,
          refreshAt: Date.now() + Math.max(0, body.expires_in - 30) * 1000,
          scopes: body.scope.split(" ").filter((scope) => scope !== ""),
          user: body.user,
        };
  for (const listener of listeners) listener(session?.user ?? null);
}

/** The scopes the current access token holds (a new personal access token may have at most these). */
export function grantedScopes(): string[] {
  return session?.scopes ?? [];
}

async function readProblem(response: Response): Promise<Problem> {
  try {
    const body = (await response.json()) as Partial<Problem>;
    return { ...body, status: response.status, code: body.code ?? "unknown" };
  } catch {
    return { status: response.status, code: "unknown", detail: `The server answered ${response.status}` };
  }
}

/** What a call that never reached the server (offline, server down) comes to. */
const UNREACHABLE: Problem = { status: 0, code: "network_error", detail: "The server could not be reached. Check the connection and try again." };

/** fetch, with a network failure as a response-shaped problem instead of a rejection. */
async function request(path: string, init: RequestInit): Promise<Response | null> {
  try {
    return await fetch(path, init);
  } catch {
    return null;
  }
}

async function toResult<T>(response: Response | null): Promise<ApiResult<T>> {
  if (response === null) return { ok: false, status: 0, problem: UNREACHABLE };
  if (!response.ok) return { ok: false, status: response.status, problem: await readProblem(response) };
  const data = response.status === 204 ? (null as T) : ((await response.json()) as T);
  return { ok: true, status: response.status, data };
}

/** A call to a console session endpoint: same origin, the cookie, the CSRF header. */
function sessionFetch(method: string, path: string, body?: unknown): Promise<Response | null> {
  return request(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? CSRF_HEADERS : { ...CSRF_HEADERS, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function logIn(username: string, password: string): Promise<ApiResult<SessionBody>> {
  const result = await toResult<SessionBody>(await sessionFetch("POST", "/api/console/session", { username, password }));
  if (result.ok) setSession(result.data);
  return result;
}

/** Rotates the cookie's refresh token for a new access token; false (and logged out) when it fails. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const result = await toResult<SessionBody>(await sessionFetch("POST", "/api/console/session/refresh"));
      // A refused refresh ends the session; an unreachable server does not (the cookie still holds it).
      if (result.ok) setSession(result.data);
      else if (result.status !== 0) setSession(null);
      return result.ok;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** At start: resume the session the cookie holds, if this browser has one. */
export async function resume(): Promise<ConsoleUser | null> {
  const state = await toResult<{ signed_in: boolean }>(await request("/api/console/session", { credentials: "same-origin" }));
  if (!state.ok || !state.data.signed_in) return null;
  return (await refresh()) ? (session?.user ?? null) : null;
}

/** Ends the session on the server and forgets the access token (even if the server is unreachable). */
export async function logOut(): Promise<void> {
  await sessionFetch("DELETE", "/api/console/session");
  setSession(null);
}

/**
 * A bearer call to the API with the in-memory access token, refreshed first when it is about
 * to expire, and once more when the server says it expired.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  if (session !== null && Date.now() >= session.refreshAt) await refresh();
  const send = () =>
    request(path, {
      method,
      headers: {
        ...(session === null ? {} : { authorization: `Bearer ${session.accessToken}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let result = await toResult<T>(await send());
  if (!result.ok && result.status === 401 && result.problem.code === "token_expired" && (await refresh())) result = await toResult<T>(await send());
  // The session ended elsewhere (revoked, user deleted): back to the login form.
  if (!result.ok && result.status === 401 && session !== null && result.problem.code !== "token_expired") setSession(null);
  return result;
}

// A client loop that signs users up, logs in, creates personal access tokens, refreshes and
// revokes, and remembers every write the server acknowledged (2xx) - and which ones it cannot
// know about because the server died mid-request - so a check after a crash can tell what must
// have survived.
import { call, PASSWORD, type Reply } from "./harness.js";

type Certainty = "live" | "revoked" | "uncertain";

export interface LedgerSession {
  username: string;
  access: string;
  refresh: string;
  state: Certainty;
}

export interface LedgerPat {
  username: string;
  id: number;
  token: string;
  state: Certainty;
}

/** Everything acknowledged so far. */
export class Ledger {
  readonly users: string[] = [];
  readonly sessions: LedgerSession[] = [];
  readonly pats: LedgerPat[] = [];
  /** Requests that got an HTTP answer, by status class, and those that got none. */
  readonly answers = { ok: 0, clientError: 0, serverError: 0, noAnswer: 0, refused: 0 };
  private counter = 0;

  constructor(private readonly prefix: string) {}

  nextUsername(): string {
    this.counter += 1;
    return `${this.prefix}${this.counter}`;
  }

  /** Counts one outcome: a reply, `"refused"` (the connection was never accepted), or null (no answer). */
  count(reply: Reply | "refused" | null): void {
    if (reply === "refused") this.answers.refused += 1;
    else if (reply === null) this.answers.noAnswer += 1;
    else if (reply.status >= 500) this.answers.serverError += 1;
    else if (reply.status >= 400) this.answers.clientError += 1;
    else this.answers.ok += 1;
  }
}

/** One request: its reply, `"refused"` when the connection was refused, null when it was cut or timed out. */
async function attempt(url: string, method: string, path: string, options: Parameters<typeof call>[3]): Promise<Reply | "refused" | null> {
  try {
    return await call(url, method, path, { timeoutMs: 10_000, ...options });
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return cause?.code === "ECONNREFUSED" ? "refused" : null;
  }
}

/**
 * Runs `workers` concurrent loops against `url()` until `stop()` is true. Each step is one
 * action chosen by `random`; a step whose answer never came marks what it touched uncertain.
 */
export async function runClientLoop(options: { url: () => string; ledger: Ledger; random: () => number; workers: number; stop: () => boolean }): Promise<void> {
  const { ledger, random } = options;
  const pick = <T>(items: readonly T[], filter: (item: T) => boolean): T | undefined => {
    const candidates = items.filter(filter);
    return candidates.length === 0 ? undefined : candidates[Math.floor(random() * candidates.length)];
  };
  const statusOf = (reply: Reply | "refused" | null): number => (reply === null || reply === "refused" ? 0 : reply.status);
  const bodyOf = (reply: Reply | "refused" | null): Record<string, unknown> => (reply === null || reply === "refused" ? {} : reply.body);
  async function step(): Promise<void> {
    const url = options.url();
    const roll = random();
    const liveSession = pick(ledger.sessions, (session) => session.state === "live");
    if (roll < 0.2 || ledger.users.length === 0) {
      const username = ledger.nextUsername();
      const reply = await attempt(url, "POST", "/api/users", { body: { username, password: PASSWORD } });
      ledger.count(reply);
      if (statusOf(reply) === 201) ledger.users.push(username);
      return;
    }
    if (roll < 0.4 || liveSession === undefined) {
      const username = ledger.users[Math.floor(random() * ledger.users.length)] ?? "";
      const reply = await attempt(url, "POST", "/api/tokens", { basic: { username, password: PASSWORD } });
      ledger.count(reply);
      if (statusOf(reply) === 200) {
        ledger.sessions.push({ username, access: bodyOf(reply)["access_token"] as string, refresh: bodyOf(reply)["refresh_token"] as string, state: "live" });
      }
      return;
    }
    if (roll < 0.55) {
      const reply = await attempt(url, "POST", "/api/me/tokens", { token: liveSession.access, body: { name: "chaos", scope: "users:read" } });
      ledger.count(reply);
      if (statusOf(reply) === 201) ledger.pats.push({ username: liveSession.username, id: bodyOf(reply)["id"] as number, token: bodyOf(reply)["token"] as string, state: "live" });
      return;
    }
    if (roll < 0.75) {
      // Taken out of "live" while in flight: no other worker presents the same refresh token.
      liveSession.state = "uncertain";
      const reply = await attempt(url, "POST", "/api/tokens/refresh", { body: { refresh_token: liveSession.refresh } });
      ledger.count(reply);
      if (statusOf(reply) === 200) {
        liveSession.access = bodyOf(reply)["access_token"] as string;
        liveSession.refresh = bodyOf(reply)["refresh_token"] as string;
        liveSession.state = "live";
      }
      return;
    }
    if (roll < 0.87) {
      liveSession.state = "uncertain";
      const reply = await attempt(url, "DELETE", "/api/tokens", { token: liveSession.access });
      ledger.count(reply);
      if (statusOf(reply) === 204) liveSession.state = "revoked";
      return;
    }
    const pat = pick(ledger.pats, (candidate) => candidate.state === "live" && candidate.username === liveSession.username);
    if (pat === undefined) {
      const reply = await attempt(url, "GET", "/api/me", { token: liveSession.access });
      ledger.count(reply);
      return;
    }
    pat.state = "uncertain";
    const reply = await attempt(url, "DELETE", `/api/me/tokens/${pat.id}`, { token: liveSession.access });
    ledger.count(reply);
    if (statusOf(reply) === 204) pat.state = "revoked";
  }
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      while (!options.stop()) await step();
    }),
  );
}

/**
 * Checks, against a freshly restarted server, that every acknowledged write is there: users log
 * in (the `newUsers` and a sample of the others), live PATs work, the latest refresh token of
 * every live session refreshes, and every token revoked with 204 is refused. Returns the
 * failures (empty when all held).
 */
export async function verifyLedger(url: string, ledger: Ledger, options: { newUsers: readonly string[]; random: () => number; sampleUsers: number }): Promise<string[]> {
  const failures: string[] = [];
  const sample = new Set(options.newUsers);
  for (let i = 0; i < options.sampleUsers && ledger.users.length > 0; i++) sample.add(ledger.users[Math.floor(options.random() * ledger.users.length)] ?? "");
  for (const username of sample) {
    const reply = await call(url, "POST", "/api/tokens", { basic: { username, password: PASSWORD } });
    if (reply.status !== 200) failures.push(`acknowledged user ${username} cannot log in: ${reply.status}`);
  }
  for (const pat of ledger.pats) {
    if (pat.state === "uncertain") continue;
    const reply = await call(url, "GET", "/api/me", { token: pat.token });
    const expected = pat.state === "live" ? 200 : 401;
    if (reply.status !== expected) failures.push(`${pat.state} PAT ${pat.id} answered ${reply.status}, expected ${expected}`);
  }
  for (const session of ledger.sessions) {
    if (session.state === "uncertain") continue;
    if (session.state === "revoked") {
      const me = await call(url, "GET", "/api/me", { token: session.access });
      if (me.status !== 401) failures.push(`an access token logged out with 204 answered ${me.status}`);
      const refreshed = await call(url, "POST", "/api/tokens/refresh", { body: { refresh_token: session.refresh } });
      if (refreshed.status !== 401) failures.push(`a refresh token logged out with 204 answered ${refreshed.status}`);
      continue;
    }
    const refreshed = await call(url, "POST", "/api/tokens/refresh", { body: { refresh_token: session.refresh } });
    if (refreshed.status !== 200) {
      failures.push(`the latest acknowledged refresh token of a live session answered ${refreshed.status} ${JSON.stringify(refreshed.body)}`);
      session.state = "uncertain";
      continue;
    }
    session.access = refreshed.body["access_token"] as string;
    session.refresh = refreshed.body["refresh_token"] as string;
  }
  return failures;
}

// One JSON request over a real socket (fetch, bounded by a timeout): the client of the
// scale-out tests and of the chaos and soak runs.

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** How long the request took, in ms. */
  elapsedMs: number;
}

export interface CallOptions {
  token?: string;
  basic?: { username: string; password: string };
  body?: unknown;
  timeoutMs?: number;
}

/**
 * One request to `baseUrl`; JSON in and out (a body that is not JSON comes back as
 * `{ text }`). Rejects only when no HTTP answer arrives (reset, refused, timeout).
 *
 * @example
 * const reply = await callJson("http://127.0.0.1:3000", "GET", "/api/me", { token });
 */
export async function callJson(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
  if (options.basic !== undefined) {
    headers["authorization"] = `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`, "utf8").toString("base64")}`;
  }
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  let body: Record<string, unknown> = {};
  if (text !== "") {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
  }
  return { status: response.status, headers: response.headers, body, elapsedMs };
}

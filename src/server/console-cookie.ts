import { parse, serialize } from "cookie";
import type { FastifyRequest } from "fastify";

/** The cookie that holds the console's refresh token. */
export const CONSOLE_COOKIE = "tessera_console_refresh";
/** The only path the browser sends it to: the console's session endpoints, no other route. */
export const CONSOLE_COOKIE_PATH = "/api/console/session";
/** The header every console session call carries (a cross-site form cannot set it). */
export const CONSOLE_CSRF_HEADER = "x-tessera-console";

/** Host names a browser treats as a secure context over plain http. */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Whether the cookie must be `Secure`: always, except over plain http to a loopback host (the
 * browser would refuse to store a Secure cookie from http://127.0.0.1 in some versions, and a
 * developer's machine has no TLS).
 */
export function needsSecureCookie(request: Pick<FastifyRequest, "protocol" | "hostname">): boolean {
  return request.protocol === "https" || !LOOPBACK_HOSTS.has(request.hostname.toLowerCase());
}

/**
 * The `Set-Cookie` value for the refresh token (`null` clears it): `HttpOnly` (no script reads
 * it), `SameSite=Strict` (no cross-site request carries it), `Path` scoped to the session
 * endpoints.
 *
 * @example
 * reply.header("set-cookie", consoleCookie(pair.refreshToken, { secure: true, maxAgeSeconds: 2592000 }));
 */
export function consoleCookie(value: string | null, options: { secure: boolean; maxAgeSeconds: number }): string {
  return serialize(CONSOLE_COOKIE, value ?? "", {
    path: CONSOLE_COOKIE_PATH,
    maxAge: value === null ? 0 : options.maxAgeSeconds,
    httpOnly: true,
    sameSite: "strict",
    secure: options.secure,
  });
}

/** Longest cookie value read: a refresh token is about 60 characters. */
const MAX_VALUE_LENGTH = 1024;

/**
 * The refresh token in the request's `Cookie` header, or null. Only the console's cookie is
 * looked for; a value outside the token alphabet is treated as absent.
 */
export function readConsoleCookie(header: string | undefined): string | null {
  // Node caps the whole header block (16 KiB by default); this bounds the parse further.
  if (header === undefined || header.length > 16_384) return null;
  const value = parse(header)[CONSOLE_COOKIE];
  return value !== undefined && value.length > 0 && value.length <= MAX_VALUE_LENGTH && /^[A-Za-z0-9_-]+$/.test(value) ? value : null;
}

/**
 * The CSRF defence of the cookie-carrying endpoints, beyond `SameSite=Strict`: the request must
 * carry {@link CONSOLE_CSRF_HEADER} (a custom header needs a CORS preflight cross-origin, which
 * this server never grants), and an `Origin` or `Sec-Fetch-Site` header, when the browser sends
 * one, must name this very origin. Returns why a request is refused, or null.
 */
export function consoleCsrfRefusal(request: Pick<FastifyRequest, "headers" | "protocol" | "host">): string | null {
  if (request.headers[CONSOLE_CSRF_HEADER] !== "1") return `The console's session calls need the header ${CONSOLE_CSRF_HEADER}: 1`;
  const site = request.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return "Cross-site requests may not use the console's session";
  const origin = request.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `${request.protocol}://${request.host}`.toLowerCase()) return "The Origin of this request is not this server";
  return null;
}

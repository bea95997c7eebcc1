import { TesseraError } from "../core/errors.js";
import { BackendUnavailableError } from "../core/errors.js";
import type { ServerConfig } from "./config.js";

/**
 * The server could not start because of what a variable points at: the database, the address
 * to listen on. Unlike ConfigError the value itself is well-formed; `tessera serve` exits 1 with
 * one line naming the variable.
 *
 * @example
 * throw new StartupError("PORT", "port 8080 on 127.0.0.1 is already in use");
 */
export class StartupError extends TesseraError {
  readonly variable: string;
  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super("startup_failed", `${variable}: ${message}`, options);
    this.name = "StartupError";
    this.variable = variable;
  }
}

/** The innermost useful message of a driver or socket error, on one line. */
export function describeCause(error: unknown): string {
  const inner = error instanceof BackendUnavailableError && error.cause !== undefined ? error.cause : error;
  let text = inner instanceof Error ? inner.message : String(inner);
  // Connecting to `localhost` tries ::1 and 127.0.0.1: Node reports both in an AggregateError with no message.
  if (text === "" && inner instanceof AggregateError) text = inner.errors.map(describeCause).join("; ");
  if (text === "" && inner instanceof Error && "code" in inner) text = String(inner.code);
  return text.replace(/\s+/g, " ").trim() || "no detail";
}

/** `text` with `url`, and the password it may carry, masked: neither may reach a log or a terminal. */
export function withoutSecrets(text: string, url: string): string {
  let masked = text.replaceAll(url, "[redacted URL]");
  let password = "";
  try {
    password = new URL(url).password;
  } catch {
    // An unparseable URL has no password to find.
  }
  for (const secret of new Set([password, safeDecode(password)])) if (secret !== "") masked = masked.replaceAll(secret, "***");
  return masked;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Why the database named by TESSERA_DATABASE_URL cannot be used at start, as one line that never
 * holds the URL or its password.
 *
 * @example
 * throw databaseUnavailable(error, config); // "TESSERA_DATABASE_URL: the database is unavailable (ECONNREFUSED ...)"
 */
export function databaseUnavailable(error: unknown, config: Pick<ServerConfig, "databaseUrl">): StartupError {
  const detail = withoutSecrets(describeCause(error), config.databaseUrl);
  return new StartupError("TESSERA_DATABASE_URL", `the database is unavailable (${detail})`, { cause: error });
}

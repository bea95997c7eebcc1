import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { ConfigError } from "../core/errors.js";
import { createSecretsCipher } from "../core/secrets-cipher.js";

import { JWT_ALGS, type JwtAlg } from "../core/jwt/algorithms.js";
import type { RateLimit } from "../http/rate-limit.js";

export type { JwtAlg, RateLimit };
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];


/** Everything `tessera serve` needs, validated (docs/http-api.md, Configuration). */
export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string | null;
  issuer: string;
  /** False when `issuer` is the `http://HOST:PORT` default (instances sharing a store then share the first one's). */
  issuerConfigured: boolean;
  audience: string;
  jwtAlg: JwtAlg;
  /**
   * Whether TESSERA_JWT_ALG was set. Unset, a server keeps the algorithm of the key that signs
   * now (so a `tessera keys rotate --alg` survives restarts) and uses `jwtAlg` only to create
   * the first key.
   */
  jwtAlgConfigured: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  /** `TESSERA_SECRETS_KEY` entries (`id:base64`, comma-separated, the first seals); empty: no at-rest encryption. */
  secretsKeys: string[];
  /** Lifetime of a personal access token created without `expires_in`; null: none. */
  patDefaultTtlSeconds: number | null;
  loginLimitAccount: RateLimit | null;
  loginLimitIp: RateLimit | null;
  requestLimitToken: RateLimit | null;
  /** Sign-ups per client IP (`TESSERA_SIGNUP_LIMIT_IP`). */
  signupLimitIp: RateLimit | null;
  /** Refresh, revoke and introspect requests per client IP (`TESSERA_TOKEN_ENDPOINT_LIMIT_IP`). */
  tokenEndpointLimitIp: RateLimit | null;
  /** Requests with an unusable token per client IP (`TESSERA_BAD_TOKEN_LIMIT_IP`). */
  badTokenLimitIp: RateLimit | null;
  /** How long audit events are kept (`TESSERA_AUDIT_RETENTION`, default 90 days). */
  auditRetentionSeconds: number;
  /** Whether audit rows carry the tamper-evident hash chain (`TESSERA_AUDIT_CHAIN=on`). */
  auditChain: boolean;
  /** How often buffered audit events are written (`TESSERA_AUDIT_FLUSH_INTERVAL`, default 1 s). */
  auditFlushIntervalMs: number;
  bodyLimitBytes: number;
  /** The longest a client may take to send a whole request (headers and body). */
  requestTimeoutMs: number;
  /** The longest a client may take to send the request headers. */
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed. */
  idleTimeoutMs: number;
  /** Open connections one client IP (IPv6: its /64) may hold; null = no cap. Trusted proxies are exempt. */
  connectionsPerIp: number | null;
  /** Verified access tokens kept in memory per instance (0 = verify every request in full). */
  tokenCacheSize: number;
  /** PostgreSQL connection pool size per instance. */
  databasePoolSize: number;
  /** How long a PostgreSQL connection or query may take before the request answers 503. */
  databaseTimeoutMs: number;
  /** Addresses/CIDRs whose X-Forwarded-For is trusted; null = trust none. */
  trustProxy: string[] | null;
  logLevel: LogLevel;
}

const UNIT_SECONDS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };
/** The longest duration any setting takes: 100 years, so that its milliseconds stay exact. */
const MAX_DURATION_SECONDS = 100 * 365 * 86_400;

/**
 * Parses `900`, `900s`, `15m`, `1h`, `30d` into seconds. Zero is refused unless `allowZero`
 * (a window that `0` turns off).
 *
 * @example
 * parseDurationSeconds("15m", "TESSERA_ACCESS_TOKEN_TTL"); // 900
 * parseDurationSeconds("0s", "TESSERA_REFRESH_REUSE_GRACE", { allowZero: true }); // 0
 */
export function parseDurationSeconds(value: string, variable: string, options: { allowZero?: boolean } = {}): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(value.trim());
  const amount = match ? Number(match[1]) : NaN;
  const unit = UNIT_SECONDS[match?.[2] ?? ""];
  const least = options.allowZero === true ? 0 : 1;
  // The product too, and in milliseconds, where most durations end up: "150119987579017m" is a
  // safe count of minutes but not of seconds. A century is longer than anything configured here.
  if (!match || unit === undefined || !Number.isSafeInteger(amount) || amount * unit > MAX_DURATION_SECONDS || amount < least) {
    const expected = least === 0 ? "a duration like 0, 10s, 15m or 1h (0 turns it off)" : "a positive duration like 900, 900s, 15m, 1h or 30d";
    throw new ConfigError(variable, `expected ${expected}, got "${value}"`);
  }
  return amount * unit;
}

/**
 * Parses `COUNT/DURATION` (e.g. `10/15m`) or `off`.
 *
 * @example
 * parseRateLimit("30/1m", "TESSERA_LOGIN_LIMIT_IP"); // { points: 30, durationSeconds: 60 }
 */
export function parseRateLimit(value: string, variable: string): RateLimit | null {
  if (value.trim().toLowerCase() === "off") return null;
  const [count, duration, ...rest] = value.trim().split("/");
  const points = Number(count);
  if (rest.length > 0 || duration === undefined || !/^\d+$/.test(count ?? "") || !Number.isSafeInteger(points) || points <= 0) {
    throw new ConfigError(variable, `expected COUNT/DURATION like 10/15m, or off, got "${value}"`);
  }
  return { points, durationSeconds: parseDurationSeconds(duration, variable) };
}

/**
 * Parses a byte size: `65536`, `64kb`, `1mb`.
 *
 * @example
 * parseByteSize("64kb", "TESSERA_BODY_LIMIT"); // 65536
 */
export function parseByteSize(value: string, variable: string): number {
  const match = /^(\d+)\s*(b|kb|k|kib|mb|m|mib)?$/i.exec(value.trim());
  if (!match) throw new ConfigError(variable, `expected a size like 65536, 64kb or 1mb, got "${value}"`);
  const unit = (match[2] ?? "b").toLowerCase();
  const factor = unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1;
  const bytes = Number(match[1]) * factor;
  if (bytes <= 0 || !Number.isSafeInteger(bytes)) throw new ConfigError(variable, `expected a positive size, got "${value}"`);
  return bytes;
}

function parseSwitch(value: string, variable: string): boolean {
  const normalized = value.trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(normalized)) return true;
  if (["off", "false", "0", "no"].includes(normalized)) return false;
  throw new ConfigError(variable, "expected on or off");
}

function parseCount(value: string, variable: string, max: number, min = 1): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || count < min || count > max) throw new ConfigError(variable, `expected an integer from ${min} to ${max}, got "${value}"`);
  return count;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
    throw new ConfigError("PORT", `expected a port number 0-65535, got "${value}"`);
  }
  return port;
}

function parseDatabaseUrl(value: string): string {
  if (/^sqlite:.+/.test(value) || /^postgres(ql)?:\/\/.+/.test(value)) return value;
  // The value is not echoed: a PostgreSQL URL may carry a password.
  throw new ConfigError("TESSERA_DATABASE_URL", "expected sqlite:PATH, sqlite::memory: or postgres://...");
}

function parseRedisUrl(value: string): string {
  // The value is not echoed: it may carry a password.
  const variable = "TESSERA_REDIS_URL";
  if (!/^rediss?:\/\/.+/.test(value)) throw new ConfigError(variable, "expected redis://... or rediss://...");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, "not a valid redis:// URL (a port is 1-65535, a host has no spaces)");
  }
  // ioredis takes the database number from the path or `?db=`; anything but digits crashes it at start.
  const db = url.searchParams.get("db");
  if (!/^\/?$|^\/\d+$/.test(url.pathname) || (db !== null && !/^\d+$/.test(db))) {
    throw new ConfigError(variable, "the database number (the path, as in redis://host:6379/0, or ?db=) must be digits");
  }
  return value;
}

function parseUrl(value: string, variable: string): string {
  const text = value.trim();
  try {
    new URL(text);
    return text;
  } catch {
    throw new ConfigError(variable, `expected an absolute URL, got "${value}"`);
  }
}

/** One DNS label (RFC 1123): letters, digits and hyphens, 1-63 long, no hyphen at either end. */
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Whether `name` is a syntactically valid DNS host name (RFC 1123); one trailing dot allowed. */
function isHostName(name: string): boolean {
  const labels = (name.endsWith(".") ? name.slice(0, -1) : name).split(".");
  const last = labels[labels.length - 1] ?? "";
  // An all-numeric last label would make `999.999.1.1` a "name": it is a bad address instead.
  return name.length <= 253 && labels.every((label) => HOST_LABEL.test(label)) && !/^\d+$/.test(last);
}

function parseHost(value: string): string {
  const host = value.trim();
  if (isIP(host) !== 0 || isHostName(host)) return host;
  const hint = /^\[.*\]$/.test(host) ? " (write an IPv6 address without brackets)" : "";
  throw new ConfigError("HOST", `expected an IP address or a host name like 0.0.0.0, ::, 127.0.0.1 or localhost${hint}, got "${value}"`);
}

function parseNonBlank(value: string, variable: string): string {
  const text = value.trim();
  if (text === "") throw new ConfigError(variable, "expected a non-empty string, got only white space");
  return text;
}

/** Whether `entry` is an IP address, or `ADDRESS/PREFIX` with a prefix of 1-32 (IPv4) or 1-128 (IPv6). */
function isAddressOrCidr(entry: string): boolean {
  const slash = entry.lastIndexOf("/");
  const family = isIP(slash === -1 ? entry : entry.slice(0, slash));
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  // Fastify (proxy-addr) refuses a /0 prefix too.
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}

function parseTrustProxy(value: string): string[] {
  const entries = value.split(",").map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  const bad = entries.find((entry) => entry !== "loopback" && !isAddressOrCidr(entry));
  if (bad !== undefined) {
    throw new ConfigError("TESSERA_TRUST_PROXY", `"${bad}" is neither an IP address nor a CIDR (ADDRESS/PREFIX, prefix 1-32 for IPv4, 1-128 for IPv6) nor "loopback"`);
  }
  if (entries.length === 0) {
    throw new ConfigError("TESSERA_TRUST_PROXY", `expected a comma-separated list of IP addresses or CIDRs (or "loopback"), got "${value}"`);
  }
  return entries;
}

function pick<T>(env: Record<string, string | undefined>, name: string, parse: (value: string) => T, fallback: T): T {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  return parse(value);
}

/**
 * Builds the server configuration from environment variables (docs/http-api.md, Configuration).
 * Throws ConfigError naming the first bad variable; never returns a half-valid config.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): ServerConfig {
  const config = readConfig(env);
  // Node applies the headers timeout within the request timeout; a longer one would never fire.
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError("TESSERA_HEADERS_TIMEOUT", "must not be longer than TESSERA_REQUEST_TIMEOUT");
  }
  return config;
}

function readConfig(env: Record<string, string | undefined>): ServerConfig {
  const port = pick(env, "PORT", parsePort, 3000);
  const host = pick(env, "HOST", parseHost, "127.0.0.1");
  const hostForUrl = host.includes(":") ? `[${host}]` : host;
  return {
    port,
    host,
    databaseUrl: pick(env, "TESSERA_DATABASE_URL", parseDatabaseUrl, "sqlite:./data/tessera.db"),
    redisUrl: pick(env, "TESSERA_REDIS_URL", parseRedisUrl, null),
    issuer: pick(env, "TESSERA_ISSUER", (value) => parseUrl(value, "TESSERA_ISSUER"), `http://${hostForUrl}:${port}`),
    issuerConfigured: (env["TESSERA_ISSUER"] ?? "") !== "",
    jwtAlgConfigured: (env["TESSERA_JWT_ALG"] ?? "") !== "",
    audience: pick(env, "TESSERA_AUDIENCE", (value) => parseNonBlank(value, "TESSERA_AUDIENCE"), "tessera"),
    jwtAlg: pick(
      env,
      "TESSERA_JWT_ALG",
      (value) => {
        const alg = JWT_ALGS.find((candidate) => candidate === value.trim());
        if (!alg) throw new ConfigError("TESSERA_JWT_ALG", `expected one of ${JWT_ALGS.join(", ")}, got "${value}"`);
        return alg;
      },
      "EdDSA" as JwtAlg,
    ),
    accessTokenTtlSeconds: pick(
      env,
      "TESSERA_ACCESS_TOKEN_TTL",
      (v) => {
        const seconds = parseDurationSeconds(v, "TESSERA_ACCESS_TOKEN_TTL");
        if (seconds > 86_400) throw new ConfigError("TESSERA_ACCESS_TOKEN_TTL", "at most 24h: access tokens are short-lived; use refresh tokens");
        return seconds;
      },
      900,
    ),
    refreshTokenTtlSeconds: pick(env, "TESSERA_REFRESH_TOKEN_TTL", (v) => parseDurationSeconds(v, "TESSERA_REFRESH_TOKEN_TTL"), 30 * 86400),
    // 0 turns the grace window off: any second presentation of a spent refresh token is reuse.
    refreshReuseGraceSeconds: pick(env, "TESSERA_REFRESH_REUSE_GRACE", (v) => parseDurationSeconds(v, "TESSERA_REFRESH_REUSE_GRACE", { allowZero: true }), 10),
    secretsKeys: pick(env, "TESSERA_SECRETS_KEY", (v) => {
      const entries = v.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
      createSecretsCipher(entries); // validates, naming the variable, without echoing a key
      return entries;
    }, []),
    // "never" only when asked: a PAT without an expiry must be a choice, not a default.
    patDefaultTtlSeconds: pick(
      env,
      "TESSERA_PAT_DEFAULT_TTL",
      (v) => (v.trim().toLowerCase() === "never" ? null : Math.min(parseDurationSeconds(v, "TESSERA_PAT_DEFAULT_TTL"), 365 * 86_400)),
      90 * 86_400,
    ),
    loginLimitAccount: pick(env, "TESSERA_LOGIN_LIMIT_ACCOUNT", (v) => parseRateLimit(v, "TESSERA_LOGIN_LIMIT_ACCOUNT"), { points: 10, durationSeconds: 900 }),
    loginLimitIp: pick(env, "TESSERA_LOGIN_LIMIT_IP", (v) => parseRateLimit(v, "TESSERA_LOGIN_LIMIT_IP"), { points: 30, durationSeconds: 60 }),
    requestLimitToken: pick(env, "TESSERA_REQUEST_LIMIT_TOKEN", (v) => parseRateLimit(v, "TESSERA_REQUEST_LIMIT_TOKEN"), { points: 600, durationSeconds: 60 }),
    signupLimitIp: pick(env, "TESSERA_SIGNUP_LIMIT_IP", (v) => parseRateLimit(v, "TESSERA_SIGNUP_LIMIT_IP"), { points: 20, durationSeconds: 3600 }),
    tokenEndpointLimitIp: pick(env, "TESSERA_TOKEN_ENDPOINT_LIMIT_IP", (v) => parseRateLimit(v, "TESSERA_TOKEN_ENDPOINT_LIMIT_IP"), { points: 120, durationSeconds: 60 }),
    badTokenLimitIp: pick(env, "TESSERA_BAD_TOKEN_LIMIT_IP", (v) => parseRateLimit(v, "TESSERA_BAD_TOKEN_LIMIT_IP"), { points: 300, durationSeconds: 60 }),
    auditRetentionSeconds: pick(env, "TESSERA_AUDIT_RETENTION", (v) => parseDurationSeconds(v, "TESSERA_AUDIT_RETENTION"), 90 * 86_400),
    auditChain: pick(env, "TESSERA_AUDIT_CHAIN", (v) => parseSwitch(v, "TESSERA_AUDIT_CHAIN"), false),
    auditFlushIntervalMs: pick(env, "TESSERA_AUDIT_FLUSH_INTERVAL", (v) => parseDurationSeconds(v, "TESSERA_AUDIT_FLUSH_INTERVAL") * 1000, 1_000),
    bodyLimitBytes: pick(env, "TESSERA_BODY_LIMIT", (v) => parseByteSize(v, "TESSERA_BODY_LIMIT"), 64 * 1024),
    // A slow client (a byte a second) must not hold a connection forever.
    requestTimeoutMs: pick(env, "TESSERA_REQUEST_TIMEOUT", (v) => parseDurationSeconds(v, "TESSERA_REQUEST_TIMEOUT") * 1000, 30_000),
    headersTimeoutMs: pick(env, "TESSERA_HEADERS_TIMEOUT", (v) => parseDurationSeconds(v, "TESSERA_HEADERS_TIMEOUT") * 1000, 10_000),
    keepAliveTimeoutMs: pick(env, "TESSERA_KEEP_ALIVE_TIMEOUT", (v) => parseDurationSeconds(v, "TESSERA_KEEP_ALIVE_TIMEOUT") * 1000, 5_000),
    idleTimeoutMs: pick(env, "TESSERA_IDLE_TIMEOUT", (v) => parseDurationSeconds(v, "TESSERA_IDLE_TIMEOUT") * 1000, 60_000),
    connectionsPerIp: pick(env, "TESSERA_CONNECTIONS_PER_IP", (v) => (v.trim() === "off" ? null : parseCount(v, "TESSERA_CONNECTIONS_PER_IP", 1_000_000)), 256),
    tokenCacheSize: pick(
      env,
      "TESSERA_TOKEN_CACHE_SIZE",
      (v) => parseCount(v, "TESSERA_TOKEN_CACHE_SIZE", 10_000_000, 0),
      10_000,
    ),
    databasePoolSize: pick(env, "TESSERA_DATABASE_POOL_SIZE", (v) => parseCount(v, "TESSERA_DATABASE_POOL_SIZE", 1000), 10),
    databaseTimeoutMs: pick(env, "TESSERA_DATABASE_TIMEOUT", (v) => parseDurationSeconds(v, "TESSERA_DATABASE_TIMEOUT") * 1000, 5000),
    trustProxy: pick(env, "TESSERA_TRUST_PROXY", parseTrustProxy, null),
    logLevel: pick(
      env,
      "TESSERA_LOG_LEVEL",
      (value) => {
        const level = LOG_LEVELS.find((candidate) => candidate === value.trim().toLowerCase());
        if (!level) throw new ConfigError("TESSERA_LOG_LEVEL", `expected one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
        return level;
      },
      "info" as LogLevel,
    ),
  };
}

/**
 * Adds the variables of the JSON file named by `TESSERA_CONFIG` (an object of the same variable
 * names, e.g. `{"PORT": 8080, "TESSERA_ACCESS_TOKEN_TTL": "10m"}`) under the environment:
 * a variable set in the environment wins (docs/http-api.md, Configuration).
 *
 * @example
 * const config = loadConfig(withConfigFile(process.env));
 */
export function withConfigFile(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return withDatabaseUrlFile(withJsonConfig(env));
}

/**
 * `TESSERA_DATABASE_URL_FILE`: the database URL read from a file (a mounted secret), so a
 * password in it never appears in the environment of a process listing or in argv.
 * `TESSERA_DATABASE_URL` wins when both are set.
 */
function withDatabaseUrlFile(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const path = env["TESSERA_DATABASE_URL_FILE"];
  if (path === undefined || path === "" || (env["TESSERA_DATABASE_URL"] ?? "") !== "") return env;
  let url: string;
  try {
    url = (readFileSync(path, "utf8").split(/\r?\n/)[0] ?? "").trim();
  } catch {
    throw new ConfigError("TESSERA_DATABASE_URL_FILE", `cannot read ${path}`);
  }
  if (url === "") throw new ConfigError("TESSERA_DATABASE_URL_FILE", `${path} is empty`);
  return { ...env, TESSERA_DATABASE_URL: url };
}

function withJsonConfig(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const path = env["TESSERA_CONFIG"];
  if (path === undefined || path === "") return env;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new ConfigError("TESSERA_CONFIG", `cannot read a JSON object from ${path}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError("TESSERA_CONFIG", `${path} must hold a JSON object of variable names`);
  }
  const fromFile: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!/^(PORT|HOST|TESSERA_[A-Z0-9_]+)$/.test(name) || name === "TESSERA_CONFIG") {
      throw new ConfigError("TESSERA_CONFIG", `${path}: unknown variable ${name}`);
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new ConfigError(name, `in ${path}: expected a string or number`);
    }
    fromFile[name] = String(value);
  }
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== "") merged[name] = value;
  return merged;
}

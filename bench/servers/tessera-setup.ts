// Shared by bench/servers/tessera-*.ts: Tessera on an in-memory store, the listening address
// from PORT/HOST, and the access tokens the load generator presents, written to TOKEN_FILE.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// The package by name, i.e. the compiled dist/ an installed app runs (npm run bench builds it):
// TypeScript run through tsx gets esbuild's keepNames wrapper on every closure it creates.
import { createTessera, type Principal, type Tessera } from "tessera-auth";
import type { JwtAlg } from "tessera-auth/jwt";
import { openTokenStore } from "tessera-auth/stores";

/** What a guard server needs once Tessera is up. */
export interface BenchTessera {
  tessera: Tessera;
  port: number;
  host: string;
  /** Stops Tessera's timers and closes the store. */
  close(): Promise<void>;
}

const ISSUER = "https://bench.tessera.invalid";
const AUDIENCE = "tessera-bench";
/** The one user every bench token speaks for (the peers' tokens say `sub: "1"` too). */
const BENCH_USER = "1";
/** One hour, like the peers' token. */
const TOKEN_TTL_SECONDS = 3600;

function readCount(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new Error(`${name} must be an integer from 0 to ${max}`);
  return value;
}

/**
 * Opens Tessera on `sqlite::memory:` (HS256 like the peers unless `BENCH_JWT_ALG` says
 * otherwise), issues `TOKEN_COUNT` (default 1) one-hour access tokens and writes them to
 * `TOKEN_FILE`, one per line. `TESSERA_TOKEN_CACHE_SIZE=0` turns the verified-token cache off.
 *
 * @example
 * const { tessera, port, host } = await startBenchTessera();
 */
export async function startBenchTessera(): Promise<BenchTessera> {
  const port = readCount("PORT", 3000, 65_535);
  const host = process.env.HOST ?? "127.0.0.1";
  const tokenCount = Math.max(1, readCount("TOKEN_COUNT", 1, 100_000));
  const cacheSize = readCount("TESSERA_TOKEN_CACHE_SIZE", 10_000, 10_000_000);
  const tokenFile = process.env.TOKEN_FILE ?? join(tmpdir(), "tessera-bench-token.txt");

  const store = await openTokenStore("sqlite::memory:");
  await store.migrate();
  const tessera = await createTessera({
    store,
    issuer: ISSUER,
    audience: AUDIENCE,
    jwtAlg: (process.env.BENCH_JWT_ALG ?? "HS256") as JwtAlg,
    accessTokenTtlSeconds: TOKEN_TTL_SECONDS,
    verifiedTokenCacheSize: cacheSize,
  });
  const tokens: string[] = [];
  for (let index = 0; index < tokenCount; index++) {
    tokens.push(tessera.issueAccessToken(BENCH_USER, { scope: "users:read", ttlSeconds: TOKEN_TTL_SECONDS }).accessToken);
  }
  // Owner-only: these are live credentials for as long as the server runs.
  writeFileSync(tokenFile, tokens.join("\n") + "\n", { mode: 0o600 });
  return {
    tessera,
    port,
    host,
    async close() {
      await tessera.close();
      await store.close();
    },
  };
}

/** The subject of a request a Tessera guard let through. */
export function subjectOf(principal: Principal): string {
  return principal.userId;
}

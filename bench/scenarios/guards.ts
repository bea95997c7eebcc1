// Tessera's adapters on the peers' exact route (bench/servers/tessera-*.ts): the guard alone,
// like for like with fastify + @fastify/jwt, hono + hono/jwt and express + passport-jwt.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAnnouncingServer } from "../lib/processes.js";
import type { HttpScenario, RequestSpec, ScenarioContext, StartedTarget } from "../lib/types.js";
import { PEER_SCENARIOS, USER_PATH } from "./peers.js";

/** Row names of the guard scenarios, for the report's targets. */
export const GUARD_SCENARIOS = {
  fastify: "fastify + tessera",
  hono: "hono + tessera",
  express: "express + tessera",
} as const;

type Variant = "warm" | "cold" | "cache off";

const started = new WeakMap<StartedTarget, string[]>();

function startGuard(script: string, variant: Variant) {
  return async (ctx: ScenarioContext): Promise<StartedTarget> => {
    const dir = await mkdtemp(join(tmpdir(), "tessera-guard-bench-"));
    const tokenFile = join(dir, "tokens.txt");
    try {
      const target = await startAnnouncingServer({
        script,
        pin: ctx.serverPin,
        env: {
          PORT: "0",
          HOST: "127.0.0.1",
          TOKEN_FILE: tokenFile,
          TOKEN_COUNT: String(variant === "warm" ? 1 : ctx.coldTokenCount),
          ...(variant === "cache off" ? { TESSERA_TOKEN_CACHE_SIZE: "0" } : {}),
        },
      });
      const tokens = (await readFile(tokenFile, "utf8")).split("\n").filter((line) => line !== "");
      const wrapped: StartedTarget = {
        url: target.url,
        ...(target.pid === undefined ? {} : { pid: target.pid }),
        async stop() {
          await target.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
      started.set(wrapped, tokens);
      return wrapped;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  };
}

function guardRequest(target: StartedTarget): Promise<RequestSpec> {
  const tokens = started.get(target) ?? [];
  if (tokens.length === 0) return Promise.reject(new Error("the guard server wrote no token"));
  if (tokens.length === 1) return Promise.resolve({ method: "GET", path: USER_PATH, headers: { authorization: `Bearer ${tokens[0] ?? ""}` } });
  return Promise.resolve({ method: "GET", path: USER_PATH, rotateBearerTokens: tokens });
}

function guardScenarios(name: string, script: string, peer: string, framework: string): HttpScenario[] {
  const describe: Record<Variant, string> = {
    warm: `${framework}, Tessera requireAuth, one HS256 access token on every request`,
    cold: `${framework}, Tessera requireAuth, a different access token on each request (round-robin over N), verified-token cache on`,
    "cache off": `${framework}, Tessera requireAuth, round-robin over N access tokens, verified-token cache off (full HS256 verification each time)`,
  };
  return (["warm", "cold", "cache off"] as const).map((variant) => ({
    name: `${name} (${variant})`,
    group: "tessera",
    peer,
    description: describe[variant],
    start: startGuard(script, variant),
    request: guardRequest,
  }));
}

export const fastifyGuardScenarios = guardScenarios(GUARD_SCENARIOS.fastify, "bench/servers/tessera-fastify.ts", PEER_SCENARIOS.fastify, "fastify 5 onRequest hook");
export const honoGuardScenarios = guardScenarios(GUARD_SCENARIOS.hono, "bench/servers/tessera-hono.ts", PEER_SCENARIOS.hono, "hono middleware");
export const expressGuardScenarios = guardScenarios(GUARD_SCENARIOS.express, "bench/servers/tessera-express.ts", PEER_SCENARIOS.express, "express 5 middleware");

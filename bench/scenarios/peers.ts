// The floor and the peer frameworks, each a tiny server in bench/servers/.
import { startAnnouncingServer } from "../lib/processes.js";
import type { HttpScenario, ScenarioContext, StartedTarget } from "../lib/types.js";

/** Names the report uses for ratios. */
export const FLOOR_SCENARIO = "node:http floor";
export const FASTIFY_PEER_SCENARIO = "fastify + @fastify/jwt";
export const PEER_SCENARIOS = {
  fastify: FASTIFY_PEER_SCENARIO,
  hono: "hono + hono/jwt",
  express: "express 5 + passport-jwt",
} as const;

/** The protected route every peer and Tessera guard answers (`GET /api/users/:id`). */
export const USER_PATH = "/api/users/1";

function startPeer(script: string) {
  return (ctx: ScenarioContext): Promise<StartedTarget> =>
    startAnnouncingServer({ script, pin: ctx.serverPin, env: { BENCH_JWT_SECRET: ctx.peerSecret } });
}

function bearerRequest(path: string) {
  return (_target: StartedTarget, ctx: ScenarioContext) =>
    Promise.resolve({ method: "GET" as const, path, headers: { authorization: `Bearer ${ctx.peerToken}` } });
}

export const floorScenarios: HttpScenario[] = [
  {
    name: FLOOR_SCENARIO,
    group: "floor",
    description: "raw node:http, small JSON body, no auth: the ceiling for one Node process here",
    start: startPeer("bench/servers/floor.ts"),
    request: { method: "GET", path: "/" },
  },
  {
    name: "fastify hello (no auth)",
    group: "floor",
    description: "fastify 5, small JSON body, no auth: the framework's own ceiling, which bounds any fastify-based server",
    start: startPeer("bench/servers/fastify-hello.ts"),
    request: { method: "GET", path: "/" },
  },
];

export const honoHelloScenario: HttpScenario = {
  name: "hono, no auth",
  group: "floor",
  description: "hono on @hono/node-server, the peers' route and body, no auth: the framework's own ceiling",
  start: startPeer("bench/servers/hono-hello.ts"),
  request: { method: "GET", path: USER_PATH },
};

export const expressHelloScenario: HttpScenario = {
  name: "express 5, no auth",
  group: "floor",
  description: "express 5, the peers' route and body, no auth: the framework's own ceiling",
  start: startPeer("bench/servers/express-hello.ts"),
  request: { method: "GET", path: USER_PATH },
};

export const fastifyPeerScenario: HttpScenario = {
  name: PEER_SCENARIOS.fastify,
  group: "peer",
  description: "fastify 5, request.jwtVerify() in an onRequest hook, HS256",
  start: startPeer("bench/servers/fastify-jwt.ts"),
  request: bearerRequest(USER_PATH),
};

export const honoPeerScenario: HttpScenario = {
  name: PEER_SCENARIOS.hono,
  group: "peer",
  description: "hono on @hono/node-server, jwt() middleware, HS256",
  start: startPeer("bench/servers/hono-jwt.ts"),
  request: bearerRequest(USER_PATH),
};

export const expressPeerScenario: HttpScenario = {
  name: PEER_SCENARIOS.express,
  group: "peer",
  description: "express 5, passport.authenticate('jwt', { session: false }), HS256",
  start: startPeer("bench/servers/express-passport.ts"),
  request: bearerRequest(USER_PATH),
};

import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { sendProblem } from "../http/fastify/problems.js";
import { clientIpKey, rateLimitHeaders, type Limit } from "../http/rate-limit.js";
import type { ServerMetrics } from "./metrics.js";

/**
 * An `onRequest` hook counting every request against a per-IP limit (IPv6 clients by /64), with
 * `RateLimit-*` headers, and 429 `rate_limited` with `Retry-After` once it is used up; a no-op
 * when the limit is configured `off`.
 */
export function limitPerIp(limit: Limit | null, name: string, metrics: ServerMetrics, detail: string): onRequestAsyncHookHandler {
  return async function perIpLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (limit === null) return;
    const key = clientIpKey(request.ip);
    const decision = await limit.hit(key);
    void reply.headers(rateLimitHeaders(decision));
    if (!decision.allowed) {
      metrics.refused(name, key);
      await sendProblem(reply, "rate_limited", { detail, headers: { "retry-after": String(decision.resetSeconds) } });
    }
  };
}

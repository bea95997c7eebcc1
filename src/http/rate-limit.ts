import { isIPv6 } from "node:net";
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/** A limit rule: `points` hits per `durationSeconds`. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** The outcome of counting one hit. `retryAfterSeconds` is set when the limit is exceeded. */
export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/**
 * One named limit (points per duration) over a rate-limiter-flexible backend: in-process by
 * default; the scaled-out server passes a factory that builds Redis limiters with an in-memory
 * insurance limiter, so the counts are shared and fall back to per-instance when Redis is down.
 */
export class Limit {
  constructor(
    readonly rule: RateLimit,
    private readonly limiter: RateLimiterAbstract,
  ) {}

  /** Counts a hit for `key`. */
  async hit(key: string): Promise<LimitDecision> {
    try {
      const result = await this.limiter.consume(key, 1);
      return this.decision(result, true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return this.decision(rejection, false);
      throw rejection;
    }
  }

  /** Gives back one hit (an attempt that could not be judged, e.g. the database was down). */
  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }

  private decision(result: RateLimiterRes, allowed: boolean): LimitDecision {
    return {
      allowed,
      limit: this.rule.points,
      remaining: Math.max(0, result.remainingPoints),
      resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
    };
  }
}

/** The `RateLimit-*` response headers (docs/http-api.md, Abuse limits) for a decision. */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  return {
    "ratelimit-limit": String(decision.limit),
    "ratelimit-remaining": String(decision.remaining),
    "ratelimit-reset": String(decision.resetSeconds),
  };
}

/** Of two decisions on one request, the one closer to refusing it (fewer left, then later reset). */
export function tighterDecision(a: LimitDecision | null, b: LimitDecision | null): LimitDecision | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.allowed !== b.allowed) return a.allowed ? b : a;
  if (a.remaining !== b.remaining) return a.remaining < b.remaining ? a : b;
  return a.resetSeconds >= b.resetSeconds ? a : b;
}

export type LimiterFactory = (name: string, rule: RateLimit) => RateLimiterAbstract;

/** In-process counters: right for one instance. */
export const memoryLimiterFactory: LimiterFactory = (name, rule) =>
  new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.durationSeconds });

/**
 * The key a per-IP limit counts under: an IPv4 address as it is, an IPv6 client by its /64 (one
 * subscriber usually holds a whole /64, so rotating through it must not buy fresh attempts); an
 * IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as its IPv4 address.
 *
 * @example
 * clientIpKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 */
export function clientIpKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  return `${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of an IPv6 address (without a zone), lower-case, without leading zeros. */
function expandIPv6(ip: string): string[] {
  const address = ip.split("%")[0] ?? ip;
  const [head = "", tail] = address.split("::");
  const parse = (part: string): string[] => (part === "" ? [] : part.split(":"));
  let groups = parse(head);
  if (tail !== undefined) {
    const right = parse(tail);
    groups = [...groups, ...Array<string>(Math.max(0, 8 - groups.length - right.length)).fill("0"), ...right];
  }
  return groups.map((group) => (group.includes(".") ? group : (Number.parseInt(group, 16) || 0).toString(16)));
}

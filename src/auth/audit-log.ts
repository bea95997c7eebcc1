import { hashAuditEvent } from "../core/audit-chain.js";
import type { Clock } from "../core/clock.js";
import { flowSlot } from "../core/flow-context.js";
import type { AuditActorType, NewAuditEvent, TokenStore } from "../core/token-store.js";

/**
 * What the current request knows about an audit event's circumstances; the app (or the
 * reference server) sets it once per request, and every event recorded while handling the
 * request carries it. Fields may be filled in later (the actor, once authenticated).
 */
export interface AuditContext {
  actorType?: AuditActorType | undefined;
  actorId?: string | null | undefined;
  clientId?: string | null | undefined;
  ip?: string | null | undefined;
  userAgent?: string | null | undefined;
  requestId?: string | null | undefined;
  /** How the event came about: `DELETE /api/tokens`, `cli: tessera clients revoke`. */
  via?: string | null | undefined;
}

const contextStorage = flowSlot<AuditContext>("audit context");

/**
 * Runs `work` with `context` as the audit context of every event it records.
 *
 * @example
 * await runWithAuditContext({ ip: req.ip, requestId: req.id, via: `${req.method} ${req.path}` }, () => next());
 */
export function runWithAuditContext<T>(context: AuditContext, work: () => T): T {
  return contextStorage.run(context, work);
}

/**
 * Makes `context` the audit context of the rest of the current asynchronous flow (a framework
 * hook that runs before the handler); returns it so fields can be filled in later.
 *
 * @example
 * app.addHook("onRequest", (req, _reply, done) => { enterAuditContext({ ip: req.ip, requestId: req.id }); done(); });
 */
export function enterAuditContext(context: AuditContext): AuditContext {
  contextStorage.enter(context);
  return context;
}

/** The audit context of the current flow, if any. */
export function currentAuditContext(): AuditContext | undefined {
  return contextStorage.get();
}

/** What a caller records: the type and what it knows; the rest comes from the context or defaults. */
export type AuditEventInput = { type: string } & Partial<Omit<NewAuditEvent, "type">>;

/** Options of the audit log (`createTessera({ audit })`). */
export interface AuditLogOptions {
  /** Chain each row's hash to the previous one (tamper evidence). Default false. */
  chain?: boolean;
  /** Events held in memory while the store is slow or down; beyond it they are dropped (counted). Default 10,000. */
  bufferSize?: number;
  /** How often buffered events are written, ms. Default 1000. */
  flushIntervalMs?: number;
  /** How long events are kept; older ones are deleted by the housekeeping timer. Default 90 days. */
  retentionSeconds?: number;
  /** Told how many events were dropped (buffer full, or a write failed with the buffer full). */
  onDrop?: (count: number) => void;
}

/** Most events written in one transaction. */
const MAX_BATCH = 500;
/** Distinct rate-limit keys aggregated per minute; beyond it refusals are dropped (counted). */
const MAX_RATE_LIMIT_KEYS = 10_000;

/**
 * The audit log's writer: `record()` never waits for the store. Events are buffered (bounded)
 * and written in batches by a timer, and on `close()` everything left is written. Rate-limit
 * refusals are aggregated per limit, key and minute into one row with a count.
 */
export class AuditLog {
  private buffer: NewAuditEvent[] = [];
  private readonly rateLimits = new Map<string, NewAuditEvent>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private droppedTotal = 0;
  private readonly bufferSize: number;
  readonly chain: boolean;
  readonly retentionMs: number;

  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
    private readonly options: AuditLogOptions = {},
  ) {
    this.bufferSize = options.bufferSize ?? 10_000;
    this.chain = options.chain ?? false;
    this.retentionMs = (options.retentionSeconds ?? 90 * 86_400) * 1000;
  }

  /** Starts the flush timer. */
  start(): void {
    const interval = this.options.flushIntervalMs ?? 1_000;
    if (interval <= 0 || this.timer !== null) return;
    this.timer = setInterval(() => {
      this.flush().catch(() => {
        // Kept in the buffer (bounded) for the next tick; readiness reports store outages.
      });
    }, interval);
    this.timer.unref();
  }

  /** Buffers one event, with the current audit context; never blocks, never throws. */
  record(input: AuditEventInput): void {
    const context = contextStorage.get();
    // Who acted: as told, else the request's authenticated caller, else the user concerned
    // (a login acts for itself), else nobody known.
    const actorType = input.actorType ?? context?.actorType ?? (input.userId ? "user" : "anonymous");
    const fallbackActor = context?.actorType === undefined && actorType === "user" ? (input.userId ?? null) : null;
    const event: NewAuditEvent = {
      at: input.at ?? this.clock.now(),
      type: input.type,
      actorType,
      actorId: input.actorId !== undefined ? input.actorId : (context?.actorId ?? fallbackActor),
      userId: input.userId ?? null,
      clientId: input.clientId !== undefined ? input.clientId : (context?.clientId ?? null),
      sessionId: input.sessionId ?? null,
      subject: input.subject ?? null,
      reason: input.reason ?? null,
      ip: input.ip !== undefined ? input.ip : (context?.ip ?? null),
      userAgent: truncate(input.userAgent !== undefined ? input.userAgent : (context?.userAgent ?? null), 512),
      requestId: input.requestId !== undefined ? input.requestId : (context?.requestId ?? null),
      via: truncate(input.via !== undefined ? input.via : (context?.via ?? null), 256),
      count: input.count ?? 1,
    };
    if (this.buffer.length >= this.bufferSize) {
      this.drop(1);
      return;
    }
    this.buffer.push(event);
  }

  /** Counts one refusal of `limit` for `key`: one row per limit, key and minute, with the count. */
  rateLimited(limit: string, key: string, input: Partial<AuditEventInput> = {}): void {
    const now = this.clock.now();
    const minute = Math.floor(now / 60_000);
    const mapKey = `${limit}\0${key}\0${minute}`;
    const existing = this.rateLimits.get(mapKey);
    if (existing !== undefined) {
      existing.count += 1;
      return;
    }
    if (this.rateLimits.size >= MAX_RATE_LIMIT_KEYS) {
      this.drop(1);
      return;
    }
    const context = contextStorage.get();
    this.rateLimits.set(mapKey, {
      at: minute * 60_000,
      type: "rate_limit.refused",
      actorType: "anonymous",
      actorId: null,
      userId: input.userId ?? null,
      clientId: input.clientId ?? null,
      sessionId: null,
      subject: truncate(key, 256),
      reason: limit,
      ip: context?.ip ?? null,
      userAgent: null,
      requestId: null,
      via: truncate(context?.via ?? null, 256),
      count: 1,
    });
  }

  /** Writes what is buffered (and the rate-limit rows of minutes that are over). */
  flush(options: { all?: boolean } = {}): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (options.all === true ? this.flush(options) : undefined));
    this.flushing = this.writeOut(options.all === true).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async writeOut(all: boolean): Promise<void> {
    const minute = Math.floor(this.clock.now() / 60_000);
    for (const [key, event] of this.rateLimits) {
      if (all || event.at < minute * 60_000) {
        this.rateLimits.delete(key);
        this.buffer.push(event);
      }
    }
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, MAX_BATCH);
      try {
        await this.store.appendAuditEvents(batch, this.chain ? { chain: hashAuditEvent } : {});
      } catch (error) {
        // Back to the front of the line, as far as the bound allows; the rest is counted lost.
        const kept = batch.slice(0, Math.max(0, this.bufferSize - this.buffer.length));
        this.drop(batch.length - kept.length);
        this.buffer.unshift(...kept);
        throw error;
      }
    }
  }

  private drop(count: number): void {
    if (count <= 0) return;
    this.droppedTotal += count;
    this.options.onDrop?.(count);
  }

  /** Events dropped since start. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.buffer.length + this.rateLimits.size;
  }

  /** Stops the timer and writes everything left (graceful shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.flush({ all: true });
    } catch {
      // The store is gone: what could not be written is lost, and counted.
      this.drop(this.buffer.length);
      this.buffer = [];
    }
  }
}

function truncate(value: string | null, max: number): string | null {
  return value === null || value.length <= max ? value : value.slice(0, max);
}

/** An audit log that records nothing (`createTessera({ audit: false })`). */
export class DisabledAuditLog extends AuditLog {
  override start(): void {}
  override record(): void {}
  override rateLimited(): void {}
}

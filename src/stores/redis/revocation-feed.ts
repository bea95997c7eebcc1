import type { Redis } from "ioredis";
import type { RevocationFeed } from "../../core/revocation-feed.js";
import { BackendUnavailableError } from "../../core/errors.js";
import type { RevocationRecord } from "../../core/token-store.js";
import { closeRedisConnection, openRedisConnection } from "./redis-connection.js";
import { formatRevocationMessage, parseRevocationMessage } from "./revocation-message.js";

/**
 * Options for {@link RedisRevocationFeed}.
 *
 * @example
 * const options: RedisRevocationFeedOptions = { url: "redis://127.0.0.1:6379", keyPrefix: "tessera:" };
 */
export interface RedisRevocationFeedOptions {
  url: string;
  /** Starts the channel name (`<prefix>revocations`), so deployments sharing a Redis stay apart. */
  keyPrefix: string;
  /**
   * A commands connection to publish on, shared with the rate limiters. The feed opens its own
   * when omitted, and closes only a connection it opened.
   */
  publisher?: Redis;
  /** Per-command timeout of the connections the feed opens. Default 1000. */
  commandTimeoutMs?: number;
  /**
   * How often the subscriber connection is pinged. A subscriber only reads, so without this a
   * Redis that stops answering (rather than closing the socket) would go unnoticed. Default 1000.
   */
  heartbeatIntervalMs?: number;
  /** Redis connection errors, already handled (the feed reconnects and resubscribes by itself). */
  onError?: (error: Error) => void;
  /**
   * Called whenever the subscription comes back after being down: messages published meanwhile
   * were missed, so the caller should read the revocations from the database once.
   */
  onResubscribed?: () => void;
}

/**
 * Carries revocations between instances over Redis pub/sub: one subscriber connection, one
 * publisher, one channel per key prefix, JSON records checked on receipt. Pub/sub is fire and
 * forget: the database stays the source of truth, and while this feed is unhealthy the
 * revocation service's database poll carries revocations alone. After an outage the
 * subscriber reconnects and resubscribes by itself.
 *
 * @example
 * const feed = new RedisRevocationFeed({ url: "redis://127.0.0.1:6379", keyPrefix: "tessera:" });
 * await feed.subscribe((record) => revocationSet.add(record));
 * await feed.publish({ kind: "sid", value: "42", revokedAt: Date.now(), expiresAt: Date.now() + 960_000 });
 * await feed.close();
 */
export class RedisRevocationFeed implements RevocationFeed {
  /** The pub/sub channel. */
  readonly channel: string;
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private readonly ownsPublisher: boolean;
  private readonly handlers = new Set<(record: RevocationRecord) => void>();
  private readonly heartbeat: NodeJS.Timeout;
  private subscribed = false;
  private subscribing: Promise<void> | null = null;
  private everSubscribed = false;
  private closed = false;
  private droppedMessageCount = 0;

  constructor(private readonly options: RedisRevocationFeedOptions) {
    this.channel = `${options.keyPrefix}revocations`;
    const connection = {
      url: options.url,
      ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    };
    this.subscriber = openRedisConnection({ ...connection, connectionName: "tessera-revocations-sub" });
    this.ownsPublisher = options.publisher === undefined;
    this.publisher = options.publisher ?? openRedisConnection({ ...connection, connectionName: "tessera-revocations-pub" });

    this.subscriber.on("ready", () => void this.listen());
    this.subscriber.on("close", () => {
      this.subscribed = false;
    });
    this.subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const record = parseRevocationMessage(message);
      if (record === null) {
        this.droppedMessageCount += 1;
        return;
      }
      for (const handler of this.handlers) handler(record);
    });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatIntervalMs ?? 1000);
    this.heartbeat.unref();
  }

  /**
   * Registers `onRecord` for every record published on the channel (by any instance, this one
   * included). Waits a little for the subscription, but never fails: while Redis is down the
   * handler simply receives nothing until it returns.
   */
  async subscribe(onRecord: (record: RevocationRecord) => void): Promise<void> {
    this.handlers.add(onRecord);
    if (!this.subscribed) await this.waitUntilSubscribed(2_000);
  }

  /** Sends a record to every instance. Throws `BackendUnavailableError` at once while Redis is down. */
  async publish(record: RevocationRecord): Promise<void> {
    if (this.closed || this.publisher.status !== "ready") throw new BackendUnavailableError("redis");
    try {
      await this.publisher.publish(this.channel, formatRevocationMessage(record));
    } catch (error) {
      throw new BackendUnavailableError("redis", { cause: error });
    }
  }

  /** True while both connections are up and the channel is subscribed. */
  isHealthy(): boolean {
    return !this.closed && this.subscribed && this.subscriber.status === "ready" && this.publisher.status === "ready";
  }

  /** Messages that were not valid revocation records, and were dropped. */
  get droppedMessages(): number {
    return this.droppedMessageCount;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribed = false;
    clearInterval(this.heartbeat);
    this.handlers.clear();
    await Promise.all([closeRedisConnection(this.subscriber), this.ownsPublisher ? closeRedisConnection(this.publisher) : undefined]);
  }

  private listen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.subscribing ??= (async () => {
      try {
        await this.subscriber.subscribe(this.channel);
        if (this.closed) return;
        this.subscribed = true;
        if (this.everSubscribed) this.options.onResubscribed?.();
        this.everSubscribed = true;
      } catch {
        // The heartbeat tries again while the connection is up; a reconnection does too.
      } finally {
        this.subscribing = null;
      }
    })();
    return this.subscribing;
  }

  private beat(): void {
    if (this.closed || this.subscriber.status !== "ready") return;
    if (!this.subscribed) {
      void this.listen();
      return;
    }
    // A PING that gets no answer trips the socket timeout, which drops the connection and
    // starts reconnecting; isHealthy() turns false on the way.
    this.subscriber.ping().catch(() => undefined);
  }

  private waitUntilSubscribed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.subscribed || this.closed || Date.now() >= deadline) {
          resolve();
          return;
        }
        setTimeout(check, 20);
      };
      check();
    });
  }
}

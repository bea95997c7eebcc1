import type { FastifyBaseLogger } from "fastify";

/** The pino logger Fastify made from the server's logger options (pino has `isLevelEnabled`). */
type PinoLike = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/**
 * A request's logger that becomes a real pino child (with its `reqId` binding) only when
 * something is logged at an enabled level. Fastify makes a child logger for every request;
 * with the redaction rules of the reference server, pino runs every binding through the
 * redactor when it makes one, a visible share of `GET /api/me` in the profiles, while at the
 * usual `warn` level most requests log nothing. Lines that are logged are the child's own.
 */
class LazyRequestLogger {
  private made: PinoLike | undefined;

  constructor(
    private readonly parent: PinoLike,
    private readonly bindings: Record<string, unknown>,
  ) {}

  private real(): PinoLike {
    this.made ??= this.parent.child(this.bindings) as PinoLike;
    return this.made;
  }

  private write(level: Level, args: unknown[]): void {
    if (this.made === undefined && !this.parent.isLevelEnabled(level)) return;
    const logger = this.real();
    (logger[level] as (...values: unknown[]) => void).apply(logger, args);
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(value: string) {
    this.real().level = value;
  }

  isLevelEnabled(level: string): boolean {
    return (this.made ?? this.parent).isLevelEnabled(level);
  }

  fatal(...args: unknown[]): void {
    this.write("fatal", args);
  }
  error(...args: unknown[]): void {
    this.write("error", args);
  }
  warn(...args: unknown[]): void {
    this.write("warn", args);
  }
  info(...args: unknown[]): void {
    this.write("info", args);
  }
  debug(...args: unknown[]): void {
    this.write("debug", args);
  }
  trace(...args: unknown[]): void {
    this.write("trace", args);
  }
  silent(): void {
    // Nothing is ever logged at "silent".
  }

  child(bindings: Record<string, unknown>, options?: object): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}

/**
 * Fastify's `childLoggerFactory`: a lazy child for the common request, an eager one when the
 * route changes the level or the serializers (then the child differs from its parent).
 *
 * @example
 * Fastify({ logger: { level: "warn" }, childLoggerFactory: lazyRequestLoggerFactory });
 */
export function lazyRequestLoggerFactory(logger: FastifyBaseLogger, bindings: Record<string, unknown>, options: object): FastifyBaseLogger {
  if (Object.keys(options).length > 0 || typeof (logger as Partial<PinoLike>).isLevelEnabled !== "function") return logger.child(bindings, options);
  return new LazyRequestLogger(logger as PinoLike, bindings) as unknown as FastifyBaseLogger;
}

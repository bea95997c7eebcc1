import { BackendUnavailableError } from "../errors.js";

/**
 * Runs at most `limit` tasks at once; the rest wait in FIFO order, at most `maxWaiting` of them.
 * Password hashing uses it so a login storm cannot take every core away from the requests that
 * only verify tokens, and cannot grow memory and latency without bound either: past the queue's
 * bound a task is refused at once with `BackendUnavailableError("password hashing")` (a 503
 * with `Retry-After`), rather than queued.
 *
 * @example
 * const limited = createConcurrencyLimit(1, 64);
 * await limited(() => hashArgon2id(password, params));
 */
export function createConcurrencyLimit(limit: number, maxWaiting = Number.POSITIVE_INFINITY): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError("concurrency limit must be an integer >= 1");
  let running = 0;
  const waiting: (() => void)[] = [];

  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) next();
  };

  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= limit) {
      if (waiting.length >= maxWaiting) throw new BackendUnavailableError("password hashing");
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

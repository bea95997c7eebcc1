/**
 * Runs at most `limit` tasks at once; the rest wait in FIFO order. Password hashing uses it so
 * a login storm cannot take every core away from the requests that only verify tokens.
 *
 * @example
 * const limited = createConcurrencyLimit(1);
 * await limited(() => hashArgon2id(password, params));
 */
export function createConcurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError("concurrency limit must be an integer >= 1");
  let running = 0;
  const waiting: (() => void)[] = [];

  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) next();
  };

  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

import { BackendUnavailableError } from "../../core/errors.js";
import { withinBudget } from "./database-deadline.js";

/**
 * Turns a driver error into `BackendUnavailableError` when the dialect says the
 * database did not answer; anything else (a bug, a constraint) passes through.
 */
export function translateBackendError(error: unknown, isUnavailable: (error: unknown) => boolean): unknown {
  if (error instanceof BackendUnavailableError) return error;
  return isUnavailable(error) ? new BackendUnavailableError("database", { cause: error }) : error;
}

// Start-up and shut-down work, not a request's wait: a migration may rightly take longer than
// a request's budget (its own lock waits), and closing waits for the pool to drain.
const UNBUDGETED = new Set(["migrate", "close"]);

/**
 * Wraps every async method of `target` so that connection failures surface as
 * `BackendUnavailableError` (a 503), never as a raw driver error or a 401. This is
 * the one place where that translation happens. With `budgetMs`, each call ends within that
 * many milliseconds in total (every pool acquire, connect and query inside it shares the budget).
 *
 * @example
 * const auth = guardBackendErrors(createSqlAuthStore(ctx), dialect.isUnavailable, { budgetMs: 5_000 });
 */
export function guardBackendErrors<T extends object>(target: T, isUnavailable: (error: unknown) => boolean, options: { budgetMs?: number | undefined } = {}): T {
  const budgetMs = options.budgetMs;
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== "function") {
      guarded[key] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    const budget = UNBUDGETED.has(key) ? undefined : budgetMs;
    guarded[key] = async (...args: unknown[]): Promise<unknown> => {
      try {
        const call = () => method.apply(target, args);
        return await (budget === undefined ? call() : withinBudget(budget, call));
      } catch (error) {
        throw translateBackendError(error, isUnavailable);
      }
    };
  }
  return guarded as T;
}

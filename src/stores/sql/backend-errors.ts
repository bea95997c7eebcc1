import { BackendUnavailableError } from "../../core/errors.js";

/**
 * Turns a driver error into `BackendUnavailableError` when the dialect says the
 * database did not answer; anything else (a bug, a constraint) passes through.
 */
export function translateBackendError(error: unknown, isUnavailable: (error: unknown) => boolean): unknown {
  if (error instanceof BackendUnavailableError) return error;
  return isUnavailable(error) ? new BackendUnavailableError("database", { cause: error }) : error;
}

/**
 * Wraps every async method of `target` so that connection failures surface as
 * `BackendUnavailableError` (a 503), never as a raw driver error or a 401. This is
 * the one place where that translation happens.
 *
 * @example
 * const auth = guardBackendErrors(createSqlAuthStore(ctx), dialect.isUnavailable);
 */
export function guardBackendErrors<T extends object>(target: T, isUnavailable: (error: unknown) => boolean): T {
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== "function") {
      guarded[key] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    guarded[key] = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await method.apply(target, args);
      } catch (error) {
        throw translateBackendError(error, isUnavailable);
      }
    };
  }
  return guarded as T;
}

import { flowSlot } from "../../core/flow-context.js";

/**
 * The time budget of one store operation (one store method call), shared by every wait inside
 * it: pool acquire, connect, each query, the rollback after a failure. The PostgreSQL pool reads
 * what is left before each wait, so an operation ends within its budget in total, not per wait.
 */
interface Budget {
  readonly deadline: number;
}

/**
 * The database time one request may still spend, across all its store operations: a request
 * that makes several calls (a guard look-up, then the route's own) waits for the database no
 * longer in total than one call may.
 */
interface Allowance {
  remainingMs: number;
}

const budgets = flowSlot<Budget>("database budget");
const allowances = flowSlot<Allowance>("database allowance");

/** The error every expired budget ends in; its `code` makes it read as "database unavailable". */
export class DeadlineExceededError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(budgetMs: number) {
    super(`the database did not answer within ${budgetMs} ms`);
    this.name = "DeadlineExceededError";
  }
}

/**
 * Runs `continuation` (typically the rest of an HTTP request) with `totalMs` of database time
 * to share between every store operation it starts.
 *
 * @example
 * app.addHook("onRequest", (_request, _reply, done) => withDatabaseAllowance(5_000, done));
 */
export function withDatabaseAllowance<T>(totalMs: number, continuation: () => T): T {
  return allowances.run({ remainingMs: totalMs }, continuation);
}

/**
 * Runs `operation` under a budget of `budgetMs` (less when an outer operation or the request's
 * allowance has less left) and rejects with {@link DeadlineExceededError} when it runs out,
 * whatever the operation is waiting for. The operation itself is not cancelled here: the pool's
 * waits read {@link remainingBudgetMs} and end their own waits (and drop their connection) at
 * the same moment.
 *
 * @example
 * const row = await withinBudget(5_000, () => db.selectFrom("users").selectAll().execute());
 */
export function withinBudget<T>(budgetMs: number, operation: () => Promise<T>): Promise<T> {
  const outer = budgets.get();
  const allowance = outer === undefined ? allowances.get() : undefined;
  const started = Date.now();
  const limit = allowance === undefined ? budgetMs : Math.min(budgetMs, allowance.remainingMs);
  const deadline = outer === undefined ? started + limit : Math.min(outer.deadline, started + limit);
  if (deadline <= started) return Promise.reject(new DeadlineExceededError(budgetMs));
  const spend = (): void => {
    if (allowance !== undefined) allowance.remainingMs = Math.max(0, allowance.remainingMs - (Date.now() - started));
  };
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(budgetMs)), deadline - started);
    budgets.run({ deadline }, operation).then(
      (value) => {
        clearTimeout(timer);
        spend();
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        spend();
        reject(error);
      },
    );
  });
}

/** Milliseconds left in the current operation's budget, or undefined outside any budget. */
export function remainingBudgetMs(): number | undefined {
  const budget = budgets.get();
  return budget === undefined ? undefined : Math.max(0, budget.deadline - Date.now());
}

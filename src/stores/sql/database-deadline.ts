import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The time budget of one store operation (one store method call), shared by every wait inside
 * it: pool acquire, connect, each query, the rollback after a failure. The PostgreSQL pool reads
 * what is left before each wait, so an operation ends within its budget in total, not per wait.
 */
interface Budget {
  readonly deadline: number;
}

const budgets = new AsyncLocalStorage<Budget>();

/** The error every expired budget ends in; its `code` makes it read as "database unavailable". */
export class DeadlineExceededError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(budgetMs: number) {
    super(`the database did not answer within ${budgetMs} ms`);
    this.name = "DeadlineExceededError";
  }
}

/**
 * Runs `operation` under a budget of `budgetMs` (an operation already under one keeps the outer,
 * tighter one) and rejects with {@link DeadlineExceededError} when the budget runs out, whatever
 * the operation is waiting for. The operation itself is not cancelled here: the pool's waits
 * read {@link remainingBudgetMs} and end their own waits (and drop their connection) at the same
 * moment.
 *
 * @example
 * const row = await withinBudget(5_000, () => db.selectFrom("users").selectAll().execute());
 */
export function withinBudget<T>(budgetMs: number, operation: () => Promise<T>): Promise<T> {
  const outer = budgets.getStore();
  const deadline = outer === undefined ? Date.now() + budgetMs : Math.min(outer.deadline, Date.now() + budgetMs);
  const budget: Budget = { deadline };
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(budgetMs)), Math.max(0, deadline - Date.now()));
    budgets.run(budget, operation).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Milliseconds left in the current operation's budget, or undefined outside any budget. */
export function remainingBudgetMs(): number | undefined {
  const budget = budgets.getStore();
  return budget === undefined ? undefined : Math.max(0, budget.deadline - Date.now());
}

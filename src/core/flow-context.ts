import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What Tessera carries along one asynchronous flow (a request, a CLI command), in one
 * AsyncLocalStorage shared by every concern: the audit context, the request's database
 * allowance, the current store call's time budget. On Node 20 every enabled storage adds work
 * to every promise the process creates (its init hook copies that storage's value into each
 * one), so each concern is a slot of this one storage, not a storage of its own.
 */
const storage = new AsyncLocalStorage<Readonly<Record<symbol, unknown>>>();

/** One concern's value in the current flow. */
export interface FlowSlot<T> {
  /** The value in the current flow, if any. */
  get(): T | undefined;
  /** Runs `work` with `value` in this slot (the other slots as they are). */
  run<R>(value: T, work: () => R): R;
  /** Sets `value` in this slot for the rest of the current flow (a framework hook before the handler). */
  enter(value: T): void;
}

/**
 * A slot of the shared flow storage.
 *
 * @example
 * const deadlines = flowSlot<number>("deadline");
 * deadlines.run(Date.now() + 5_000, () => query()); // inside: deadlines.get()
 */
export function flowSlot<T>(name: string): FlowSlot<T> {
  const key = Symbol(name);
  return {
    get: () => storage.getStore()?.[key] as T | undefined,
    run: (value, work) => storage.run({ ...storage.getStore(), [key]: value }, work),
    enter: (value) => storage.enterWith({ ...storage.getStore(), [key]: value }),
  };
}

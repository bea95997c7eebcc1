import assert from "node:assert/strict";
import { it } from "node:test";
import { createConcurrencyLimit } from "../../../src/core/passwords/concurrency-limit.js";

it("runs at most `limit` tasks at once, in arrival order, and frees a slot on failure", async () => {
  const limited = createConcurrencyLimit(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const task = (id: number, fail = false) =>
    limited(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(id);
      running--;
      if (fail) throw new Error("boom");
      return id;
    });
  const results = await Promise.allSettled([task(1), task(2, true), task(3), task(4), task(5)]);
  assert.equal(peak, 2);
  assert.deepEqual(order, [1, 2, 3, 4, 5]);
  assert.deepEqual(results.map((result) => result.status), ["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
  assert.throws(() => createConcurrencyLimit(0), RangeError);
});

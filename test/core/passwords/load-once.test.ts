import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { loadOnce } from "../../../src/core/passwords/load-once.js";

void describe("loadOnce", () => {
  void it("loads on the first call only and shares the result", async () => {
    let calls = 0;
    const load = loadOnce(() => Promise.resolve(++calls));
    assert.equal(calls, 0, "nothing is loaded before the first call");
    assert.deepEqual(await Promise.all([load(), load()]), [1, 1]);
    assert.equal(await load(), 1);
    assert.equal(calls, 1);
  });

  void it("tries again after a failed load", async () => {
    let calls = 0;
    const load = loadOnce(() => (++calls === 1 ? Promise.reject(new Error("not installed")) : Promise.resolve("loaded")));
    await assert.rejects(load(), /not installed/);
    assert.equal(await load(), "loaded");
    assert.equal(calls, 2);
  });
});

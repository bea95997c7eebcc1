import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BackendUnavailableError } from "../../../src/core/errors.js";
import { guardBackendErrors } from "../../../src/stores/sql/backend-errors.js";

const isRefused = (error: unknown): boolean => error instanceof Error && error.message === "refused";

void describe("guardBackendErrors", () => {
  void it("turns an outage into BackendUnavailableError with the cause kept", async () => {
    const outage = new Error("refused");
    const guarded = guardBackendErrors({ read: () => Promise.reject(outage) }, isRefused);
    await assert.rejects(guarded.read(), (error: unknown) => {
      assert.ok(error instanceof BackendUnavailableError);
      assert.equal(error.code, "backend_unavailable");
      assert.equal(error.cause, outage);
      return true;
    });
  });

  void it("passes other errors and results through", async () => {
    const bug = new TypeError("bug");
    const guarded = guardBackendErrors(
      { fail: () => Promise.reject(bug), answer: (n: number) => Promise.resolve(n * 2) },
      isRefused,
    );
    await assert.rejects(guarded.fail(), (error: unknown) => error === bug);
    assert.equal(await guarded.answer(21), 42);
  });
});

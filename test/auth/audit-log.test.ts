// The facade's audit log over a real SQLite store: what a login records, the bounded buffer
// while the store cannot be written, and retention by the housekeeping timer.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runWithAuditContext } from "../../src/index.js";
import { createFixture } from "./helpers.js";

const PASSWORD = "correct horse battery staple";

void describe("tessera.audit", () => {
  it("a login records who, from where and why it failed, without the password or the name typed", async () => {
    const fixture = await createFixture({ audit: { flushIntervalMs: 0 } });
    try {
      const ada = await fixture.addUser("ada", PASSWORD);
      await runWithAuditContext({ ip: "203.0.113.7", requestId: "r1", via: "POST /login" }, async () => {
        assert.equal((await fixture.tessera.login("ada", PASSWORD)).ok, true);
        assert.equal((await fixture.tessera.login("ada", "not the password")).ok, false);
        assert.equal((await fixture.tessera.login("ghost-typed-name", "not the password")).ok, false);
      });
      await fixture.tessera.audit.flush();
      const rows = (await fixture.tessera.audit.list({ limit: 10 })).reverse();
      assert.deepEqual(rows.map((row) => [row.type, row.reason, row.userId]), [
        ["login.succeeded", null, ada.id],
        ["login.failed", "wrong_password", ada.id],
        ["login.failed", "unknown_user", null],
      ]);
      assert.ok(rows.every((row) => row.ip === "203.0.113.7" && row.via === "POST /login" && row.requestId === "r1"));
      const text = JSON.stringify(rows);
      assert.ok(!text.includes(PASSWORD) && !text.includes("not the password") && !text.includes("ghost-typed-name"));
    } finally {
      await fixture.close();
    }
  });

  it("keeps at most bufferSize events while the store cannot be written, counting the rest as dropped", async () => {
    const dropped: number[] = [];
    const fixture = await createFixture({ audit: { flushIntervalMs: 0, bufferSize: 3, onDrop: (count) => dropped.push(count) } });
    for (let i = 0; i < 3; i++) fixture.tessera.audit.record({ type: "app.event", reason: String(i) });
    await fixture.store.close(); // the database is gone
    await assert.rejects(fixture.tessera.audit.flush());
    assert.equal(fixture.tessera.audit.pending, 3, "kept for the next attempt");
    fixture.tessera.audit.record({ type: "app.event", reason: "3" });
    fixture.tessera.audit.record({ type: "app.event", reason: "4" });
    assert.equal(fixture.tessera.audit.dropped, 2);
    assert.deepEqual(dropped, [1, 1]);
    await fixture.tessera.close(); // cannot write: counted, never thrown
    assert.equal(fixture.tessera.audit.dropped, 5);
  });

  it("the housekeeping timer deletes events older than the retention", async () => {
    const fixture = await createFixture({ keyReloadIntervalMs: 1, audit: { flushIntervalMs: 0, retentionSeconds: 60 } });
    try {
      fixture.tessera.audit.record({ type: "app.old" });
      await fixture.tessera.audit.flush();
      fixture.clock.advance(61_000);
      fixture.tessera.audit.record({ type: "app.new" });
      await fixture.tessera.audit.flush();
      // The timer runs housekeeping every 30 ticks (30 ms here); bounded wait for its next pass.
      for (let waited = 0; waited < 100; waited++) {
        if ((await fixture.tessera.audit.list({ limit: 10 })).length === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual((await fixture.tessera.audit.list({ limit: 10 })).map((row) => row.type), ["app.new"]);
    } finally {
      await fixture.close();
    }
  });
});

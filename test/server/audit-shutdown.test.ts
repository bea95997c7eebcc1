// Contract of the audit log under shutdown: a real `tessera serve` process, logins in flight,
// SIGTERM. Every login the server acknowledged (200) is in the log once the process has exited.
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openServerDatabase } from "../../src/server/server-database.js";
import { call, registerUser, PASSWORD } from "../scale-out/http-client.js";
import { startInstance } from "../scale-out/instances.js";

describe("audit log on graceful shutdown", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-audit-shutdown-"));
  const databaseUrl = `sqlite:${join(dir, "tessera.db")}`;
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("SIGTERM under load: every acknowledged login is in the log", async () => {
    // Buffered events are written once an hour here: every login of this test reaches the
    // database only through the flush on shutdown.
    const instance = await startInstance("audit", { TESSERA_DATABASE_URL: databaseUrl, TESSERA_LOGIN_LIMIT_ACCOUNT: "off", TESSERA_AUDIT_FLUSH_INTERVAL: "1h" });
    let acknowledged = 0;
    try {
      const userId = await registerUser(instance, "loadtest");
      const attempts = Array.from({ length: 30 }, () =>
        call(instance, "POST", "/api/tokens", { basic: { username: "loadtest", password: PASSWORD } })
          .then((reply) => {
            if (reply.status === 200) acknowledged++;
          })
          .catch(() => undefined),
      );
      // Stop while logins are in flight: some answered, some draining, some refused.
      for (let waited = 0; acknowledged < 3 && waited < 600; waited++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await instance.stop(30_000), 0, instance.stderr());
      await Promise.all(attempts);
      assert.ok(acknowledged >= 3, `only ${acknowledged} logins answered`);

      const store = await openServerDatabase(databaseUrl);
      try {
        const logged = await store.tokens.listAuditEvents({ userId: String(userId), types: ["login.succeeded"], limit: 1000 });
        assert.ok(logged.length >= acknowledged, `${logged.length} logged, ${acknowledged} acknowledged`);
      } finally {
        await store.close();
      }
    } finally {
      await instance.stop();
    }
  });
});

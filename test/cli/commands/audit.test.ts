import * as assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { runCli } from "../../../src/cli/dispatch.js";
import { createUser, makeDatabaseUrl, runTessera, withStore } from "../helpers.js";

interface EventJson {
  id: number;
  type: string;
  actor: { type: string; id: string | null };
  user_id: number | null;
  client_id: string | null;
  subject: string | null;
  via: string | null;
}

void describe("tessera audit", () => {
  void it("lists what operators did, with filters, oldest first", async () => {
    const databaseUrl = makeDatabaseUrl();
    const adaId = await createUser(databaseUrl, "ada");
    const created = await runTessera(["clients", "create", "svc", "--scope", "posts:read", "--owner", "ada", "--json"], { databaseUrl });
    const clientId = (JSON.parse(created.stdout) as { client_id: string }).client_id;
    assert.equal((await runTessera(["clients", "revoke", clientId], { databaseUrl })).code, 0);
    assert.equal((await runTessera(["keys", "rotate"], { databaseUrl })).code, 0);

    const all = await runTessera(["audit", "--json"], { databaseUrl });
    assert.equal(all.code, 0, all.stderr);
    const events = JSON.parse(all.stdout) as EventJson[];
    const types = events.map((event) => event.type);
    assert.ok(types.indexOf("client.created") < types.indexOf("client.revoked"), "oldest first");
    const revoked = events.find((event) => event.type === "client.revoked");
    assert.deepEqual(revoked?.actor, { type: "operator", id: null });
    assert.equal(revoked?.via, "cli: tessera clients revoke");
    assert.equal(revoked?.client_id, clientId);
    assert.equal(revoked?.user_id, adaId);
    assert.ok(types.includes("key.rotated"));
    const userCreated = events.find((event) => event.type === "user.created");
    assert.equal(userCreated?.user_id, adaId);
    assert.equal(userCreated?.via, "cli: tessera users create");

    const onlyAda = JSON.parse((await runTessera(["audit", "--user", "ada", "--json"], { databaseUrl })).stdout) as EventJson[];
    assert.ok(onlyAda.length >= 2 && onlyAda.every((event) => event.user_id === adaId));
    const onlyKeys = JSON.parse((await runTessera(["audit", "--type", "key.rotated", "--since", "1h", "--json"], { databaseUrl })).stdout) as EventJson[];
    assert.deepEqual(onlyKeys.map((event) => event.type), ["key.rotated"]);
    const future = JSON.parse((await runTessera(["audit", "--since", "2999-01-01T00:00:00Z", "--json"], { databaseUrl })).stdout) as EventJson[];
    assert.deepEqual(future, []);
    const table = await runTessera(["audit"], { databaseUrl });
    assert.match(table.stdout, /^AT\s+TYPE\s+ACTOR/);
    assert.equal((await runTessera(["audit", "--since", "yesterday"], { databaseUrl })).code, 2);
  });

  void it("--follow prints events as they are written, until stopped", async () => {
    const databaseUrl = makeDatabaseUrl();
    await createUser(databaseUrl, "ada");
    await runTessera(["clients", "create", "first", "--scope", ""], { databaseUrl });
    let output = "";
    const stdout = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        output += chunk.toString();
        callback();
      },
    });
    const controller = new AbortController();
    const following = runCli(["audit", "--follow", "--json", "--type", "client.created"], {
      stdout,
      stderr: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
      env: { TESSERA_DATABASE_URL: databaseUrl },
      signal: controller.signal,
    });
    const created = JSON.parse((await runTessera(["clients", "create", "second", "--scope", "", "--json"], { databaseUrl })).stdout) as { client_id: string };
    // Bounded: the follower polls every second; give it up to 20.
    for (let waited = 0; !output.includes(created.client_id) && waited < 200; waited++) await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    assert.equal(await following, 0);
    const lines = output.trim().split("\n").map((line) => JSON.parse(line) as EventJson);
    assert.deepEqual(lines.map((event) => event.type), ["client.created", "client.created"]);
    assert.equal(lines[1]?.client_id, created.client_id);
  });

  void it("verify reports an intact chain, and the first broken link after tampering", async () => {
    const databaseUrl = makeDatabaseUrl();
    const env = { TESSERA_AUDIT_CHAIN: "on" };
    await createUser(databaseUrl, "ada");
    for (const name of ["a", "b", "c"]) assert.equal((await runTessera(["clients", "create", name, "--scope", ""], { databaseUrl, env })).code, 0);
    const intact = await runTessera(["audit", "verify", "--json"], { databaseUrl, env });
    assert.equal(intact.code, 0, intact.stdout + intact.stderr);
    assert.deepEqual(JSON.parse(intact.stdout), { ok: true, checked: 3 });

    const target = await withStore(databaseUrl, async (store) => {
      const rows = await store.tokens.listAuditEvents({ afterId: 0, limit: 10 });
      const second = rows[1];
      assert.ok(second);
      await store.tokens.db.updateTable("audit_events").set({ ip: "198.51.100.9" }).where("id", "=", second.id).execute();
      return second.id;
    });
    const broken = await runTessera(["audit", "verify"], { databaseUrl, env });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`broken at event ${target} \\(hash_mismatch\\)`));
  });
});

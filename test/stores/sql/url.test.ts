import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../../src/core/errors.js";
import { parseDatabaseUrl } from "../../../src/stores/sql/url.js";

void describe("parseDatabaseUrl", () => {
  void it("reads sqlite file paths and :memory:", () => {
    assert.deepEqual(parseDatabaseUrl("sqlite:./data/tessera.db"), { kind: "sqlite", filename: "./data/tessera.db" });
    assert.deepEqual(parseDatabaseUrl("sqlite:/var/lib/t.db"), { kind: "sqlite", filename: "/var/lib/t.db" });
    assert.deepEqual(parseDatabaseUrl("sqlite::memory:"), { kind: "sqlite", filename: ":memory:" });
  });

  void it("reads postgres:// and postgresql:// and takes ?schema= off the connection string", () => {
    assert.deepEqual(parseDatabaseUrl("postgres://u:p@db.internal:5432/app"), {
      kind: "postgres",
      connectionString: "postgres://u:p@db.internal:5432/app",
      schema: undefined,
    });
    assert.deepEqual(parseDatabaseUrl("postgresql://u@h/app?schema=tenant_1&sslmode=disable"), {
      kind: "postgres",
      connectionString: "postgresql://u@h/app?sslmode=disable",
      schema: "tenant_1",
    });
  });

  void it("lets the schema option override the URL", () => {
    const parsed = parseDatabaseUrl("postgres://h/app?schema=from_url", "from_option");
    assert.equal(parsed.kind === "postgres" ? parsed.schema : null, "from_option");
  });

  void it("rejects unknown schemes, empty paths and unsafe schema names without echoing the URL", () => {
    for (const url of ["mysql://root:hunter2@h/db", "sqlite:", "postgres://root:hunter2@h/db?schema=bad;drop", "file.db"]) {
      assert.throws(
        () => parseDatabaseUrl(url),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === "TESSERA_DATABASE_URL" && !error.message.includes("hunter2"),
        url,
      );
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../src/core/errors.js";
import { loadConfig, parseDurationSeconds, parseRateLimit } from "../../src/server/config.js";

describe("configuration", () => {
  it("has the contract's defaults", () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, "127.0.0.1");
    assert.equal(config.databaseUrl, "sqlite:./data/tessera.db");
    assert.equal(config.redisUrl, null);
    assert.equal(config.issuer, "http://127.0.0.1:3000");
    assert.equal(config.audience, "tessera");
    assert.equal(config.accessTokenTtlSeconds, 900);
    assert.equal(config.refreshTokenTtlSeconds, 30 * 86400);
    assert.equal(config.refreshReuseGraceSeconds, 10);
    assert.deepEqual(config.loginLimitAccount, { points: 10, durationSeconds: 900 });
    assert.deepEqual(config.loginLimitIp, { points: 30, durationSeconds: 60 });
    assert.deepEqual(config.requestLimitToken, { points: 600, durationSeconds: 60 });
    assert.equal(config.bodyLimitBytes, 65536);
    assert.equal(config.logLevel, "info");
  });

  it("reads durations and limits in every documented form", () => {
    assert.equal(parseDurationSeconds("900", "X"), 900);
    assert.equal(parseDurationSeconds("900s", "X"), 900);
    assert.equal(parseDurationSeconds("15m", "X"), 900);
    assert.equal(parseDurationSeconds("1h", "X"), 3600);
    assert.equal(parseDurationSeconds("30d", "X"), 2592000);
    assert.deepEqual(parseRateLimit("10/15m", "X"), { points: 10, durationSeconds: 900 });
    assert.equal(parseRateLimit("off", "X"), null);
  });

  it("names the variable of a bad value", () => {
    const cases: Record<string, string> = {
      PORT: "eighty",
      TESSERA_DATABASE_URL: "mysql://x",
      TESSERA_ACCESS_TOKEN_TTL: "15 minutes",
      TESSERA_LOGIN_LIMIT_IP: "30 per minute",
      TESSERA_JWT_ALG: "none",
      TESSERA_BODY_LIMIT: "big",
      TESSERA_LOG_LEVEL: "loud",
      TESSERA_REDIS_URL: "localhost:6379",
      TESSERA_TRUST_PROXY: "everyone!",
    };
    for (const [variable, value] of Object.entries(cases)) {
      assert.throws(
        () => loadConfig({ [variable]: value }),
        (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.startsWith(variable),
        variable,
      );
    }
  });
});

describe("TESSERA_TOKEN_CACHE_SIZE", () => {
  it("defaults to 10000, takes 0 to turn the cache off, refuses nonsense", () => {
    assert.equal(loadConfig({}).tokenCacheSize, 10_000);
    assert.equal(loadConfig({ TESSERA_TOKEN_CACHE_SIZE: "0" }).tokenCacheSize, 0);
    assert.equal(loadConfig({ TESSERA_TOKEN_CACHE_SIZE: "500" }).tokenCacheSize, 500);
    assert.throws(() => loadConfig({ TESSERA_TOKEN_CACHE_SIZE: "-1" }), ConfigError);
    assert.throws(() => loadConfig({ TESSERA_ACCESS_TOKEN_TTL: "2d" }), ConfigError);
  });
});

describe("TESSERA_CONFIG file", () => {
  it("adds variables from a JSON file under the environment, which wins", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { withConfigFile } = await import("../../src/server/config.js");
    const dir = mkdtempSync(join(tmpdir(), "tessera-config-"));
    try {
      const file = join(dir, "tessera.json");
      writeFileSync(file, JSON.stringify({ PORT: 8080, TESSERA_ACCESS_TOKEN_TTL: "10m", TESSERA_AUDIENCE: "from-file" }));
      const config = loadConfig(withConfigFile({ TESSERA_CONFIG: file, TESSERA_AUDIENCE: "from-env" }));
      assert.equal(config.port, 8080);
      assert.equal(config.accessTokenTtlSeconds, 600);
      assert.equal(config.audience, "from-env");
      writeFileSync(file, JSON.stringify({ TESSERA_NOPE_TYPO: "1", DATABASE: "x" }));
      assert.throws(() => withConfigFile({ TESSERA_CONFIG: file }), (error: unknown) => error instanceof ConfigError && error.variable === "TESSERA_CONFIG");
      writeFileSync(file, JSON.stringify({ TESSERA_ACCESS_TOKEN_TTL: "forever" }));
      assert.throws(() => loadConfig(withConfigFile({ TESSERA_CONFIG: file })), (error: unknown) => error instanceof ConfigError && error.variable === "TESSERA_ACCESS_TOKEN_TTL");
      assert.throws(() => withConfigFile({ TESSERA_CONFIG: join(dir, "missing.json") }), ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

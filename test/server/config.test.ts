import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { ConfigError } from "../../src/core/errors.js";
import { loadConfig, parseDurationSeconds, parseRateLimit } from "../../src/server/config.js";
import { login, makeApp, problem, register } from "./helpers.js";

/** Asserts that `env` is refused with a ConfigError naming `variable` (and whose message contains `mention`). */
function assertRefused(env: Record<string, string>, variable: string, mention?: string): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) =>
      error instanceof ConfigError && error.variable === variable && error.message.startsWith(`${variable}: `) && (mention === undefined || error.message.includes(mention)),
    `${JSON.stringify(env)} should be refused naming ${variable}`,
  );
}

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

describe("HOST", () => {
  const label = (char: string, length: number) => char.repeat(length);
  const longest = [label("a", 63), label("b", 63), label("c", 63), label("d", 61)].join(".");

  it("takes an IP address or a host name (RFC 1123)", () => {
    assert.equal(longest.length, 253);
    for (const host of ["0.0.0.0", "127.0.0.1", "::", "::1", "2001:db8::1", "localhost", "api.example.com", "example.com.", "a-b.c1", "3com.net", "x", longest]) {
      assert.equal(loadConfig({ HOST: host }).host, host, host);
    }
    assert.equal(loadConfig({ HOST: " localhost " }).host, "localhost");
    assert.equal(loadConfig({ HOST: "::1" }).issuer, "http://[::1]:3000");
  });

  it("refuses anything else, naming HOST, before any address is looked up", () => {
    const bad = [
      "999.999.1.1",
      "1.2.3",
      "not_a_host",
      "-start.example.com",
      "end-.example.com",
      "two..dots",
      "host name",
      "[::1]",
      "http://example.com",
      `${label("a", 64)}.com`,
      `${longest}e`,
      " ",
    ];
    for (const host of bad) assertRefused({ HOST: host }, "HOST");
    assertRefused({ HOST: "[::1]" }, "HOST", "without brackets");
  });
});

describe("TESSERA_TRUST_PROXY", () => {
  const good = ["loopback", "10.0.0.1", "10.0.0.0/8", "10.0.0.0/32", "10.0.0.0/1", "::1", "2001:db8::/32", "2001:db8::/128", "::ffff:127.0.0.1", " 10.0.0.1 , loopback ,192.168.0.0/16"];
  const bad = ["999.1.1.1", "10.0.0.0/33", "10.0.0.0/0", "::/0", "::/129", "10.0.0.0/x", "10.0.0.0/", "1.2.3", "10.0.0.0/255.0.0.0", "loopback,999.1.1.1", "everyone", ","];

  it("takes IP addresses, CIDRs and loopback, and Fastify takes every list it accepts", async () => {
    for (const value of good) {
      const trustProxy = loadConfig({ TESSERA_TRUST_PROXY: value }).trustProxy;
      assert.ok(trustProxy !== null && trustProxy.length > 0, value);
      const app = Fastify({ trustProxy });
      await app.close();
    }
    assert.deepEqual(loadConfig({ TESSERA_TRUST_PROXY: " 10.0.0.1 , loopback " }).trustProxy, ["10.0.0.1", "loopback"]);
  });

  it("refuses a bad entry naming the variable and the entry, where Fastify would fail later", () => {
    for (const value of bad) assertRefused({ TESSERA_TRUST_PROXY: value }, "TESSERA_TRUST_PROXY");
    assertRefused({ TESSERA_TRUST_PROXY: "10.0.0.1,999.1.1.1" }, "TESSERA_TRUST_PROXY", '"999.1.1.1"');
    // The check above guards a real failure: Fastify itself refuses such a list.
    assert.throws(() => Fastify({ trustProxy: ["999.1.1.1"] }), /invalid IP address/);
    assert.throws(() => Fastify({ trustProxy: ["10.0.0.0/0"] }), /invalid range/);
  });
});

describe("TESSERA_AUDIENCE and TESSERA_ISSUER", () => {
  it("refuse a blank value, naming the variable", () => {
    assertRefused({ TESSERA_AUDIENCE: " " }, "TESSERA_AUDIENCE");
    assertRefused({ TESSERA_AUDIENCE: "\t\n" }, "TESSERA_AUDIENCE");
    assertRefused({ TESSERA_ISSUER: " " }, "TESSERA_ISSUER");
  });

  it("drop the white space around a value", () => {
    const config = loadConfig({ TESSERA_AUDIENCE: "  api  ", TESSERA_ISSUER: " https://auth.example.com " });
    assert.equal(config.audience, "api");
    assert.equal(config.issuer, "https://auth.example.com");
  });
});

describe("TESSERA_REFRESH_REUSE_GRACE", () => {
  it("takes 0 (the window off) in every duration form; the other durations still refuse 0", () => {
    for (const value of ["0", "0s", "0m"]) assert.equal(loadConfig({ TESSERA_REFRESH_REUSE_GRACE: value }).refreshReuseGraceSeconds, 0, value);
    assert.equal(loadConfig({ TESSERA_REFRESH_REUSE_GRACE: "30s" }).refreshReuseGraceSeconds, 30);
    assertRefused({ TESSERA_REFRESH_REUSE_GRACE: "-1" }, "TESSERA_REFRESH_REUSE_GRACE");
    assertRefused({ TESSERA_REFRESH_REUSE_GRACE: "soon" }, "TESSERA_REFRESH_REUSE_GRACE");
    assertRefused({ TESSERA_ACCESS_TOKEN_TTL: "0" }, "TESSERA_ACCESS_TOKEN_TTL");
    assertRefused({ TESSERA_REFRESH_TOKEN_TTL: "0s" }, "TESSERA_REFRESH_TOKEN_TTL");
  });

  it("with 0, a spent refresh token presented again is reuse and revokes the session", async () => {
    const app = await makeApp({ TESSERA_REFRESH_REUSE_GRACE: "0" });
    try {
      await register(app, "grace0");
      const first = await login(app, "grace0");
      const refresh = (token: string) => app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: token } });
      const second = await refresh(first.refresh_token);
      assert.equal(second.statusCode, 200);
      // Immediately: with the window off, even the same millisecond is reuse.
      const reuse = await refresh(first.refresh_token);
      assert.equal(reuse.statusCode, 401);
      assert.equal(problem(reuse).code, "token_revoked");
      assert.equal((await refresh(second.json<{ refresh_token: string }>().refresh_token)).statusCode, 401);
    } finally {
      await app.close();
    }
  });
});

describe("TESSERA_REDIS_URL", () => {
  it("takes redis:// and rediss:// URLs with an optional database number", () => {
    for (const url of ["redis://127.0.0.1:6379", "redis://127.0.0.1:6379/", "redis://127.0.0.1:6379/2", "redis://127.0.0.1:6379?db=3", "rediss://:pw@cache.example.com:6380/1", "redis://[::1]:6379"]) {
      assert.equal(loadConfig({ TESSERA_REDIS_URL: url }).redisUrl, url, url);
    }
  });

  it("refuses a URL ioredis would crash on, never echoing it", () => {
    for (const url of ["redis://127.0.0.1:6379/abc", "redis://127.0.0.1:6379?db=abc", "redis://127.0.0.1:6379/1/2", "redis://:hunter2@127.0.0.1:99999", "redis://bad host:6379"]) {
      assertRefused({ TESSERA_REDIS_URL: url }, "TESSERA_REDIS_URL");
      assert.throws(() => loadConfig({ TESSERA_REDIS_URL: url }), (error: unknown) => error instanceof Error && !error.message.includes(url) && !error.message.includes("hunter2"));
    }
  });
});

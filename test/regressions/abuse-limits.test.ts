// Security hardening, item 10: sign-up, refresh, revoke, introspection and failed bearer tokens had
// no rate limit, and the per-IP login limit keyed on the exact address (40 attempts from one IPv6
// /64 with no 429).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientIpKey } from "../../src/http/rate-limit.js";
import { PASSWORD, basic, login, makeApp, register } from "../server/helpers.js";

void describe("abuse limits of docs/http-api.md", () => {
  void it("keys IPv6 clients by their /64 and IPv4 clients by address", () => {
    assert.equal(clientIpKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(clientIpKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    assert.equal(clientIpKey("::1"), "0:0:0:0::/64");
    assert.equal(clientIpKey("::ffff:192.0.2.7"), "192.0.2.7");
    assert.equal(clientIpKey("192.0.2.7"), "192.0.2.7");
  });

  void it("limits logins per /64: rotating addresses inside one IPv6 /64 buys no attempts", async () => {
    const app = await makeApp({ TESSERA_LOGIN_LIMIT_IP: "3/1m", TESSERA_LOGIN_LIMIT_ACCOUNT: "off" });
    try {
      const statuses: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const response = await app.inject({
          method: "POST",
          url: "/api/tokens",
          remoteAddress: `2001:db8:7:7::${i.toString(16)}`,
          headers: { authorization: basic("nobody", "wrong password") },
        });
        statuses.push(response.statusCode);
      }
      assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    } finally {
      await app.close();
    }
  });

  void it("limits sign-ups per client IP (TESSERA_SIGNUP_LIMIT_IP), 429 with Retry-After", async () => {
    const app = await makeApp({ TESSERA_SIGNUP_LIMIT_IP: "2/1h" });
    try {
      const signup = (username: string) => app.inject({ method: "POST", url: "/api/users", payload: { username, password: PASSWORD } });
      assert.equal((await signup("one")).statusCode, 201);
      assert.equal((await signup("two")).statusCode, 201);
      const third = await signup("three");
      assert.equal(third.statusCode, 429);
      assert.equal(third.json().code, "rate_limited");
      assert.ok(Number(third.headers["retry-after"]) > 0);
    } finally {
      await app.close();
    }
  });

  void it("limits refresh, revoke and introspection per client IP (TESSERA_TOKEN_ENDPOINT_LIMIT_IP)", async () => {
    const app = await makeApp({ TESSERA_TOKEN_ENDPOINT_LIMIT_IP: "2/1m" });
    try {
      await register(app, "ada");
      const pair = await login(app, "ada");
      const refresh = (token: string) => app.inject({ method: "POST", url: "/api/tokens/refresh", payload: { refresh_token: token } });
      const first = await refresh(pair.refresh_token);
      assert.equal(first.statusCode, 200);
      const revoke = await app.inject({ method: "POST", url: "/oauth/revoke", payload: { token: "tsr_rt_unknown" } });
      assert.equal(revoke.statusCode, 200);
      const third = await refresh(first.json().refresh_token as string);
      assert.equal(third.statusCode, 429);
      assert.ok(Number(third.headers["retry-after"]) > 0);
    } finally {
      await app.close();
    }
  });

  void it("limits requests with unusable tokens per client IP (TESSERA_BAD_TOKEN_LIMIT_IP), and 'off' turns a limit off", async () => {
    const limited = await makeApp({ TESSERA_BAD_TOKEN_LIMIT_IP: "3/1m" });
    try {
      const call = (token: string) => limited.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${token}` } });
      for (let i = 0; i < 3; i++) assert.equal((await call(`guess-${i}`)).statusCode, 401);
      const blocked = await call("guess-4");
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().code, "rate_limited");
    } finally {
      await limited.close();
    }
    const open = await makeApp({ TESSERA_BAD_TOKEN_LIMIT_IP: "off", TESSERA_SIGNUP_LIMIT_IP: "off" });
    try {
      for (let i = 0; i < 5; i++) {
        assert.equal((await open.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer guess-${i}` } })).statusCode, 401);
      }
    } finally {
      await open.close();
    }
  });
});

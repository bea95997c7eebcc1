// The web console end to end: Debian's Chromium, driven by playwright-core, against a real
// `tessera serve` on a SQLite file on 127.0.0.1. A user signs up through the API and uses the
// console (their recent activity included); an admin finds them and resets their password,
// manages a machine client whose tokens are used over real HTTP, and reads the audit log. Every step waits for a condition the
// page shows, never for time. Screenshots of the main pages at 360 and 1440 px wide land in
// test-artifacts/console/ (git-ignored; docs/console/ holds copies).
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium as playwright, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";
import { CHROMIUM_ARGS, requireChromium } from "../support/chromium.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "tessera.mjs");
const ARTIFACTS = join(ROOT, "test-artifacts", "console");
const PASSWORD = "correct horse battery staple";
const ADMIN_PASSWORD = "operator's long passphrase";
const NEW_PASSWORD = "a brand new passphrase for ada";
const FIREFOX_ON_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0";
const WIDE = { width: 1440, height: 900 };
const NARROW = { width: 360, height: 780 };

/** Runs the CLI to its end with `input` on stdin; rejects on a non-zero exit. */
function cli(args: string[], env: Record<string, string>, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`tessera ${args.join(" ")}: exit ${code}\n${output}`))));
    child.stdin.end(input);
  });
}

/** Starts `tessera serve` on a kernel-chosen port and resolves once it prints where it listens. */
function serve(env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; url: string; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [BIN, "serve"], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], exited });
    });
    child.on("exit", (code) => reject(new Error(`tessera serve exited (${code}) before listening:\n${stdout}\n${stderr}`)));
  });
}

const chromiumPath = requireChromium();
if (chromiumPath !== null) {
  void describe("the web console in Chromium", { timeout: 240_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-console-"));
    const env = {
      PORT: "0",
      HOST: "127.0.0.1",
      TESSERA_DATABASE_URL: `sqlite:${join(dir, "tessera.db")}`,
      TESSERA_LOG_LEVEL: "silent",
    };
    let server: Awaited<ReturnType<typeof serve>>;
    let context: BrowserContext;
    let page: Page;
    /** Every console message of level error and every uncaught page error. */
    const browserErrors: string[] = [];

    before(async () => {
      if (!existsSync(join(ROOT, "dist", "console", "index.html"))) {
        throw new Error("dist/console/ is not built: run npm run build (npm install does it)");
      }
      mkdirSync(ARTIFACTS, { recursive: true });
      await cli(["migrate"], env, "");
      await cli(["users", "create", "root", "--admin", "--email", "root@example.com"], env, `${ADMIN_PASSWORD}\n`);
      server = await serve(env);
      context = await playwright.launchPersistentContext(join(dir, "profile"), {
        executablePath: chromiumPath,
        headless: true,
        args: [...CHROMIUM_ARGS],
        viewport: WIDE,
        locale: "en-GB",
        timezoneId: "UTC",
      });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
      page = context.pages()[0] ?? (await context.newPage());
      page.on("console", (message: ConsoleMessage) => {
        if (message.type() === "error") browserErrors.push(`${message.text()} (${message.location().url})`);
      });
      page.on("pageerror", (error) => browserErrors.push(`uncaught: ${error.message}`));
    });

    after(async () => {
      await context?.close();
      if (server !== undefined) {
        server.child.kill("SIGTERM");
        await server.exited;
      }
      rmSync(dir, { recursive: true, force: true });
    });

    /** Form controls on the page with no accessible name from a <label> or aria-label. */
    function unlabelledControls(): Promise<string[]> {
      return page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea"))
          .filter((control) => (control.labels?.length ?? 0) === 0 && !control.getAttribute("aria-label"))
          .map((control) => control.outerHTML),
      );
    }

    /** The page as it is now, at both widths, full length; every form control must be labelled. */
    async function shoot(name: string): Promise<void> {
      assert.deepEqual(await unlabelledControls(), [], `unlabelled controls on ${name}`);
      for (const [label, size] of [["1440", WIDE], ["360", NARROW]] as const) {
        await page.setViewportSize(size);
        await page.screenshot({ path: join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
      }
      await page.setViewportSize(WIDE);
    }

    async function api(method: string, path: string, options: { token?: string; body?: unknown; basic?: [string, string]; userAgent?: string } = {}) {
      const headers: Record<string, string> = {};
      if (options.userAgent !== undefined) headers["user-agent"] = options.userAgent;
      if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
      if (options.basic !== undefined) headers["authorization"] = `Basic ${Buffer.from(options.basic.join(":")).toString("base64")}`;
      if (options.body !== undefined) headers["content-type"] = "application/json";
      return fetch(`${server.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    }

    /** `POST /oauth/token` with `grant_type=client_credentials`, the client authenticated by HTTP Basic (RFC 6749 2.3.1). */
    function clientCredentials(clientId: string, secret: string): Promise<Response> {
      const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64");
      return fetch(`${server.url}/oauth/token`, {
        method: "POST",
        headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
    }

    async function clientToken(clientId: string, secret: string): Promise<string> {
      const response = await clientCredentials(clientId, secret);
      assert.equal(response.status, 200, await response.clone().text());
      return ((await response.json()) as { access_token: string }).access_token;
    }

    async function adminToken(): Promise<string> {
      const response = await api("POST", "/api/tokens", { basic: ["root", ADMIN_PASSWORD] });
      return ((await response.json()) as { access_token: string }).access_token;
    }

    async function signInWithKeyboard(username: string, password: string): Promise<void> {
      await page.getByRole("heading", { name: "Sign in to Tessera" }).waitFor();
      await page.getByLabel("Username").focus();
      await page.keyboard.type(username);
      await page.keyboard.press("Tab");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "login-password", "Tab moves from the username to the password");
      await page.keyboard.type(password);
      await page.keyboard.press("Enter");
      // The view the address names (the last one before logging out), with the account bar.
      await page.getByRole("button", { name: "Log out", exact: true }).waitFor();
    }

    let otherRefreshToken = "";
    let adaId = 0;

    void it("a user signed up through the API logs in at /console with the keyboard", async () => {
      const signup = await api("POST", "/api/users", { body: { username: "ada", password: PASSWORD, email: "ada@example.com" } });
      assert.equal(signup.status, 201);
      adaId = ((await signup.json()) as { id: number }).id;
      // A second login elsewhere (a script): the session the console will revoke.
      const other = await api("POST", "/api/tokens", { basic: ["ada", PASSWORD], userAgent: FIREFOX_ON_MAC });
      assert.equal(other.status, 200);
      otherRefreshToken = ((await other.json()) as { refresh_token: string }).refresh_token;

      await page.goto(`${server.url}/console`);
      await page.getByRole("heading", { name: "Sign in to Tessera" }).waitFor();
      await shoot("login");
      await signInWithKeyboard("ada", PASSWORD);
      await page.getByRole("heading", { name: "Sessions" }).waitFor();
    });

    void it("holds the refresh token in an HttpOnly, SameSite=Strict cookie scoped to the session endpoints, nothing in storage", async () => {
      const cookies = await context.cookies(server.url + "/api/console/session");
      const cookie = cookies.find((entry) => entry.name === "tessera_console_refresh");
      assert.ok(cookie, "the console's cookie is set");
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.equal(cookie.path, "/api/console/session");
      assert.equal(cookie.secure, false, "plain http on 127.0.0.1: not Secure, or the browser would drop it");
      assert.deepEqual(await context.cookies(`${server.url}/api/me`), [], "no other path receives it");
      const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
      assert.deepEqual(stored, { local: 0, session: 0, cookie: "" });
      // A reload keeps the session: the page refreshes through the cookie.
      await page.reload();
      await page.getByRole("heading", { name: "Sessions" }).waitFor();
    });

    void it("lists the sessions with this device marked, and revoking another one makes its refresh fail", async () => {
      const rows = page.locator("tbody tr");
      await rows.nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      const current = rows.filter({ hasText: "This device" });
      assert.equal(await current.count(), 1);
      assert.match(await current.innerText(), /Chrome/);
      await shoot("sessions");

      const other = rows.filter({ hasNotText: "This device" });
      assert.match(await other.innerText(), /Firefox 133 on macOS/, "the device is the parsed User-Agent");
      await other.getByRole("button", { name: /^Revoke session/ }).click();
      await page.getByRole("status").filter({ hasText: "revoked" }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll("tbody tr").length === 1);
      const refresh = await api("POST", "/api/tokens/refresh", { body: { refresh_token: otherRefreshToken } });
      assert.equal(refresh.status, 401);
    });

    let pat = "";

    void it("creates a personal access token shown once with a copy button; it works over HTTP until revoked", async () => {
      await page.getByRole("link", { name: "Tokens" }).click();
      await page.getByRole("heading", { name: "Personal access tokens" }).waitFor();
      await page.getByLabel("Name").fill("deploy script");
      await page.getByLabel("users:read").check();
      await page.getByLabel("posts:read").check();
      await page.getByLabel("Expires after").selectOption("30 days");
      await page.getByRole("button", { name: "Create token" }).click();
      const secret = page.getByLabel("The new token");
      await secret.waitFor();
      pat = await secret.inputValue();
      assert.match(pat, /^tsr_pat_/);
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByRole("status").filter({ hasText: "Copied" }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), pat);
      await page.locator("tbody tr").filter({ hasText: "deploy script" }).waitFor();
      await shoot("tokens");

      const me = await api("GET", "/api/me", { token: pat });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { username: string }).username, "ada");

      await page.getByRole("button", { name: "Done" }).click();
      await page.getByRole("button", { name: "Revoke token deploy script" }).click();
      await page.getByText("No personal access tokens.").waitFor();
      const afterRevoke = await api("GET", "/api/me", { token: pat });
      assert.equal(afterRevoke.status, 401);
    });

    void it("shows the user's own recent events, readable, and reads older ones through the cursor", async () => {
      // Four failed sign-ins elsewhere: in the log with why, and enough events for a second page.
      for (let attempt = 0; attempt < 4; attempt += 1) {
        assert.equal((await api("POST", "/api/tokens", { basic: ["ada", "not the password"], userAgent: FIREFOX_ON_MAC })).status, 401);
      }
      await page.getByRole("link", { name: "Activity" }).click();
      await page.getByRole("heading", { name: "Recent activity" }).waitFor();
      const table = page.getByRole("table", { name: "Your recent authentication events" });
      const rows = table.locator("tbody tr");
      // The console's own sign-in: in words, from this browser, this address, through the console's login.
      const consoleLogin = rows.filter({ hasText: "Signed in" }).filter({ hasText: "POST /api/console/session" });
      await consoleLogin.first().waitFor();
      const loginText = await consoleLogin.first().innerText();
      assert.match(loginText, /Chrome \d+ on Linux/);
      assert.match(loginText, /127\.0\.0\.1/);
      const failed = rows.filter({ hasText: "Sign-in failed: wrong password" });
      assert.equal(await failed.count(), 4);
      assert.match(await failed.first().innerText(), /Firefox 133 on macOS/);
      assert.equal(await rows.count(), 10, "a page is 10 events");
      await shoot("activity");

      // Older pages until the account's first event; the button goes once there is nothing older.
      const more = page.getByRole("button", { name: "Show more" });
      for (let pages = 1; (await more.count()) > 0; pages += 1) {
        assert.ok(pages < 10, "the cursor ends");
        const before = await rows.count();
        await more.click();
        // More rows, or (when the last full page had nothing after it) no button.
        await page.waitForFunction((count) => document.querySelectorAll("table tbody tr").length > count || document.querySelector("main button") === null, before);
      }
      assert.ok((await rows.count()) > 10);
      assert.match(await rows.last().innerText(), /Account created/, "the oldest event is the sign-up");
      const times = await table.locator("time").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("datetime") ?? ""));
      assert.deepEqual([...times].sort().reverse(), times, "newest first, across pages");
    });

    void it("shows the password policy's message inline, tied to the field", async () => {
      await page.getByRole("link", { name: "Account" }).click();
      await page.getByRole("heading", { name: "Account" }).waitFor();
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>("#profile-email")?.value === "ada@example.com");
      await page.getByLabel("Current password").fill(PASSWORD);
      await page.getByLabel("New password").fill("password");
      await page.getByRole("button", { name: "Change password" }).click();
      const error = page.locator("#password-new-error");
      await error.waitFor();
      assert.match(await error.innerText(), /too common/);
      assert.match((await page.getByLabel("New password").getAttribute("aria-describedby")) ?? "", /password-new-error/);
      assert.equal(await page.getByLabel("New password").getAttribute("aria-invalid"), "true");
      await shoot("account");
      await page.getByRole("button", { name: "Log out", exact: true }).click();
      await page.getByRole("heading", { name: "Sign in to Tessera" }).waitFor();
    });

    void it("an admin finds the user, sees their sessions and tokens, and resets their password", async () => {
      // ada signs in elsewhere and makes a token: what the admin will see and end.
      const login = (await (await api("POST", "/api/tokens", { basic: ["ada", PASSWORD] })).json()) as { access_token: string; refresh_token: string };
      const created = await api("POST", "/api/me/tokens", { token: login.access_token, body: { name: "laptop backup", scope: "posts:read" } });
      assert.equal(created.status, 201);
      const adaPat = ((await created.json()) as { token: string }).token;

      await signInWithKeyboard("root", ADMIN_PASSWORD);
      await page.getByRole("link", { name: "Users" }).click();
      await page.getByRole("heading", { name: "Users" }).waitFor();
      await page.getByLabel("Search by username or email").fill("ADA@example");
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByRole("table").getByText("1 user matching").waitFor();
      await shoot("admin-users");
      await page.getByRole("link", { name: "ada" }).click();
      await page.getByRole("heading", { name: "ada" }).waitFor();
      await page.getByRole("table", { name: "Sessions of ada" }).waitFor();
      await page.getByRole("table", { name: "Personal access tokens of ada" }).getByText("laptop backup").waitFor();
      await shoot("admin-user");

      await page.getByLabel("New password for ada").fill(NEW_PASSWORD);
      await page.getByRole("button", { name: "Reset password" }).click();
      await page.getByRole("status").filter({ hasText: "Password reset" }).waitFor();
      await page.getByText("No live sessions.").waitFor();
      await page.getByText("No personal access tokens.").waitFor();
      assert.equal((await api("POST", "/api/tokens/refresh", { body: { refresh_token: login.refresh_token } })).status, 401);
      assert.equal((await api("GET", "/api/me", { token: adaPat })).status, 401);
      assert.equal((await api("POST", "/api/tokens", { basic: ["ada", PASSWORD] })).status, 401);
      assert.equal((await api("POST", "/api/tokens", { basic: ["ada", NEW_PASSWORD] })).status, 200);
    });

    void it("an admin deletes a user after confirming", async () => {
      assert.equal((await api("POST", "/api/users", { body: { username: "mallory", password: PASSWORD } })).status, 201);
      await page.getByRole("link", { name: "Users", exact: true }).click();
      await page.getByLabel("Search by username or email").fill("mall");
      await page.getByLabel("Search by username or email").press("Enter");
      await page.getByRole("link", { name: "mallory" }).click();
      await page.getByRole("heading", { name: "mallory" }).waitFor();
      await page.getByRole("button", { name: "Delete user…" }).click();
      await page.getByRole("button", { name: "Yes, delete mallory" }).click();
      await page.getByRole("heading", { name: "User deleted" }).waitFor();
      assert.equal((await api("POST", "/api/tokens", { basic: ["mallory", PASSWORD] })).status, 401);
      const left = await api("GET", "/api/admin/users?q=mallory", { token: await adminToken() });
      assert.equal(((await left.json()) as { items: unknown[] }).items.length, 0);
    });

    void it("an admin lists the signing keys and rotates them", async () => {
      await page.getByRole("link", { name: "Signing keys" }).click();
      await page.getByRole("heading", { name: "Signing keys" }).waitFor();
      const rows = page.locator("tbody tr");
      await rows.first().waitFor();
      assert.equal(await rows.count(), 1);
      await page.getByRole("button", { name: "Rotate signing key" }).click();
      await page.getByRole("status").filter({ hasText: "Now signing with" }).waitFor();
      await rows.nth(1).waitFor();
      assert.match(await rows.first().innerText(), /signing/);
      assert.match(await rows.nth(1).innerText(), /retired/);
      await shoot("admin-keys");
    });

    let clientId = "";
    let revokedClientToken = "";

    void it("an admin creates a machine client whose secret gets a token over HTTP; rotating and revoking in the console end the tokens", async () => {
      await page.getByRole("link", { name: "Machine clients" }).click();
      await page.getByRole("heading", { name: "Machine clients" }).waitFor();
      await page.getByText("No machine clients.").waitFor();
      await page.getByLabel("Name").fill("billing sync");
      await page.getByLabel("users:read").check();
      await page.getByLabel("Owner's user id (optional)").fill(String(adaId));
      await page.getByRole("button", { name: "Create client" }).click();
      const secretField = page.getByLabel("The client secret");
      await secretField.waitFor();
      const firstSecret = await secretField.inputValue();
      assert.match(firstSecret, /^tsr_cs_/);
      await page.getByRole("button", { name: "Copy" }).click();
      await page.getByRole("status").filter({ hasText: "Copied" }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), firstSecret);
      const row = page.locator("tbody tr").filter({ hasText: "billing sync" });
      await row.waitFor();
      clientId = await row.locator("code").first().innerText();
      assert.match(clientId, /^tsr_ci_/);
      assert.match(await row.innerText(), new RegExp(`users:read[\\s\\S]*User #${adaId}`));
      await shoot("admin-clients");

      // The secret works on the token endpoint, and its token acts for the owner.
      const firstToken = await clientToken(clientId, firstSecret);
      const me = await api("GET", "/api/me", { token: firstToken });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { username: string }).username, "ada");

      await page.getByRole("button", { name: "Done" }).click();
      await row.getByRole("link", { name: "billing sync" }).click();
      await page.getByRole("heading", { name: "billing sync" }).waitFor();
      const secrets = page.getByRole("table", { name: "Live secrets of billing sync" }).locator("tbody tr");
      await secrets.first().waitFor();
      assert.equal(await secrets.count(), 1);

      // Rotate: a second secret, shown once; both work until the first is revoked.
      await page.getByRole("button", { name: "Create a new secret" }).click();
      const secondSecret = await page.getByLabel("The new client secret").inputValue();
      assert.match(secondSecret, /^tsr_cs_/);
      assert.notEqual(secondSecret, firstSecret);
      const newId = /New secret (\d+)/.exec(await page.locator("#rotated-client-secret-title").innerText())?.[1];
      assert.ok(newId !== undefined);
      await secrets.nth(1).waitFor();
      const secondToken = await clientToken(clientId, secondSecret);
      await secrets.filter({ hasNotText: `#${newId}` }).getByRole("button", { name: /^Revoke secret/ }).click();
      await page.getByRole("status").filter({ hasText: "revoked" }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length === 1);
      assert.equal((await api("GET", "/api/me", { token: firstToken })).status, 401, "the revoked secret's token is refused");
      assert.equal((await clientCredentials(clientId, firstSecret)).status, 401, "the revoked secret gets no token");
      assert.equal((await api("GET", "/api/me", { token: secondToken })).status, 200, "the new secret's token still works");
      await shoot("admin-client");

      // Revoke the client: the token it holds is refused.
      await page.getByRole("button", { name: "Revoke client…" }).click();
      await page.getByRole("button", { name: "Yes, revoke billing sync" }).click();
      await page.getByRole("status").filter({ hasText: "Client revoked" }).waitFor();
      await page.getByText(/^Revoked /).waitFor();
      const refused = await api("GET", "/api/me", { token: secondToken });
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { code: string }).code, "token_revoked");
      assert.equal((await clientCredentials(clientId, secondSecret)).status, 401);
      revokedClientToken = secondToken;
      await page.getByRole("link", { name: "← Machine clients" }).click();
      await page.getByText("No machine clients.").waitFor();
    });

    void it("an admin pages through the audit log and filters it by type", async () => {
      await page.getByRole("link", { name: "Audit log" }).click();
      await page.getByRole("heading", { name: "Audit log" }).waitFor();
      const table = page.getByRole("table", { name: /events, newest first/ });
      const rows = table.locator("tbody tr");
      await table.getByText("page 1").waitFor();
      assert.equal(await rows.count(), 20, "a page is 20 events");
      const times = () => table.locator("time").evaluateAll((nodes) => nodes.map((node) => node.getAttribute("datetime") ?? ""));
      const pageOne = await times();
      await page.getByRole("button", { name: "Older" }).click();
      await table.getByText("page 2").waitFor();
      const pageTwo = await times();
      assert.ok(pageTwo.length > 0);
      assert.ok((pageTwo[0] ?? "") <= (pageOne.at(-1) ?? ""), "page 2 holds older events");
      await page.getByRole("button", { name: "Newer" }).click();
      await table.getByText("page 1").waitFor();
      assert.deepEqual(await times(), pageOne);

      await page.getByLabel("Event type").fill("client.revoked");
      await page.getByLabel("Since").fill("1h");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await table.getByText("Matching events").waitFor();
      await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length === 1);
      const only = await rows.first().innerText();
      assert.match(only, /Machine client revoked/);
      assert.match(only, new RegExp(clientId));
      assert.match(only, /DELETE \/api\/admin\/clients\/:id/);
      assert.equal(await page.getByRole("button", { name: "Older" }).count(), 0, "one page only");

      // A time the API cannot read: its message under the field, and the problem's detail.
      await page.getByLabel("Since").fill("yesterday");
      await page.getByRole("button", { name: "Apply filters" }).click();
      const sinceError = page.locator("#filter-since-error");
      await sinceError.waitFor();
      assert.match(await sinceError.innerText(), /Since must be an RFC 3339 time or an age/);
      assert.equal(await page.getByLabel("Since").getAttribute("aria-invalid"), "true");
      await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
      await page.getByLabel("Since").fill("1h");

      // Two types at once.
      await page.getByLabel("Event type").fill("client.created, client.revoked");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await page.waitForFunction(() => document.querySelectorAll("table tbody tr").length === 2);
      assert.match(await rows.nth(1).innerText(), /Machine client created/);
      await shoot("admin-events");
    });

    void it("an admin has a token explained: the revoked client's token, refused, in words", async () => {
      await page.getByRole("link", { name: "Explain a token" }).click();
      await page.getByRole("heading", { name: "Explain a token" }).waitFor();
      await page.getByLabel("Token", { exact: true }).fill(revokedClientToken);
      await page.getByRole("button", { name: "Explain" }).click();
      await page.getByRole("heading", { name: "Refused: token_revoked" }).waitFor();
      const lines = await page.locator(".explanation li").allInnerTexts();
      assert.match(lines[0] ?? "", /^Refused \(token_revoked\)/);
      assert.ok(lines.some((line) => line.includes("revoked")));
      assert.match(await page.locator(".details").last().innerText(), /Machine client's access token/);
      await shoot("admin-explain");
    });

    void it("logged no error in the browser but the two 400s the test provoked (a common password, an unreadable time)", () => {
      // Chromium logs every 4xx answer to fetch as "Failed to load resource"; the two 400s above
      // are the policy check and the audit log's time filter the test provoked on purpose.
      // Anything else (a script error, a CSP violation, an unexpected 4xx) fails here.
      const provoked = /Failed to load resource: the server responded with a status of 400 .*(\/api\/users\/\d+|\/api\/admin\/events\?[^)]*since=yesterday[^)]*)\)$/;
      const unexpected = browserErrors.filter((text) => !provoked.test(text));
      assert.deepEqual(unexpected, []);
      assert.equal(browserErrors.length, 2, browserErrors.join("\n"));
    });
  });
}

import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { recordLoads } from "./load-recorder.js";

// `import ... from "tessera-auth"` (the core, by package name, so dist/ as an installed app
// gets it: npm test builds dist/ first) must load no framework, driver or native addon, and
// not read the password list: those load on first use, and an app that only verifies tokens
// never needs them.
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HEAVY_PACKAGES = ["better-sqlite3", "pg", "ioredis", "fastify", "@node-rs/argon2", "bcryptjs"] as const;
const PASSWORD_LIST = "common-passwords.txt";

/** The heavy things an event shows loading: package names, "native addon", or the list. */
function heavyLoads(events: readonly string[]): string[] {
  const found = new Set<string>();
  for (const event of events) {
    const text = decodeURIComponent(event);
    for (const name of HEAVY_PACKAGES) {
      // @node-rs/argon2 loads its prebuilt binary from @node-rs/argon2-<platform>.
      const directory = name === "@node-rs/argon2" ? "@node-rs/argon2(?:-[^/]+)?" : name.replace("/", "\\/");
      if (new RegExp(`node_modules/${directory}/`).test(text) || text.startsWith(`require ${name} `)) found.add(name);
    }
    if (text.startsWith("dlopen ")) found.add("native addon");
    if (text.includes(PASSWORD_LIST)) found.add(PASSWORD_LIST);
  }
  return [...found].sort();
}

function run(source: string): string[] {
  const result = recordLoads(source, ROOT);
  assert.equal(result.status, 0, `child failed:\n${result.stderr}`);
  assert.ok(result.events.length > 0, "the recorder saw nothing: the test itself is broken");
  return result.events;
}

void describe("the cost of importing tessera-auth", () => {
  void it("loads no framework, driver, native addon or password list", () => {
    const events = run('const core = await import("tessera-auth"); if (typeof core.createTessera !== "function") process.exit(3);');
    assert.ok(
      events.some((event) => /\/dist\/index\.js$/.test(event)),
      "tessera-auth did not resolve to dist/index.js: run npm run build",
    );
    assert.deepEqual(heavyLoads(events), []);
  });

  // The controls: the same recorder does see each of them when they load, so an empty list
  // above means they were not loaded, not that they went unnoticed.
  void it("loads argon2, bcryptjs and the list on first use, from dist/", () => {
    const events = run(`
      const { checkPasswordPolicy, hashPassword, verifyPassword } = await import("tessera-auth/passwords");
      if (checkPasswordPolicy("password1").ok) process.exit(3);
      await hashPassword("a long passphrase", { memoryCost: 256, timeCost: 1, parallelism: 1 });
      if (!(await verifyPassword("$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"))) process.exit(4);
    `);
    assert.deepEqual(heavyLoads(events), ["@node-rs/argon2", "bcryptjs", PASSWORD_LIST, "native addon"].sort());
  });

  void it("would notice each framework and driver", () => {
    const events = run('for (const name of ["fastify", "pg", "ioredis", "better-sqlite3"]) await import(name);');
    assert.deepEqual(heavyLoads(events), ["better-sqlite3", "fastify", "ioredis", "pg"]);
  });
});

import { existsSync } from "node:fs";
import { test } from "node:test";

/** Debian's Chromium (`apt-get install chromium`); TESSERA_TEST_CHROMIUM names another binary. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/**
 * Launch flags for a quiet, reproducible headless run: no sandbox (containers run as root), no
 * GPU, and none of the background traffic (updates, sync, QUIC probes) a test must not depend on.
 */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

/**
 * The Chromium binary when it is installed. Otherwise registers a test that says why and
 * resolves to null: that test FAILS when CI=true (`.ci/run` installs Chromium) and is skipped
 * elsewhere, as the PostgreSQL and Redis suites do.
 *
 * @example
 * const chromium = requireChromium();
 * if (chromium !== null) describe("the console in a browser", () => { ... });
 */
export function requireChromium(): string | null {
  const path = process.env["TESSERA_TEST_CHROMIUM"] ?? DEFAULT_CHROMIUM;
  if (existsSync(path)) return path;
  const message = `Chromium not found at ${path}: apt-get install chromium (or set TESSERA_TEST_CHROMIUM)`;
  if (process.env["CI"] === "true") {
    void test("Chromium is installed", () => {
      throw new Error(message);
    });
  } else {
    void test("browser tests of the console", { skip: message }, () => undefined);
  }
  return null;
}

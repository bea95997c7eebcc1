import { ConfigError } from "../../../core/errors.js";

/** The database drivers the token store loads itself, and what each is needed for. */
const DRIVER_USES = {
  pg: "postgres:// URLs",
  "better-sqlite3": "sqlite: URLs",
} as const;

/**
 * A driver package the token store imports only when a URL asks for it.
 *
 * @example
 * const driver: SqlDriverPackage = "pg";
 */
export type SqlDriverPackage = keyof typeof DRIVER_USES;

function isMissingPackage(error: unknown, driver: SqlDriverPackage): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  // The quotes matter: a driver that is installed but misses one of its own dependencies
  // ('pg-pool', say) is a broken install, not this, and keeps its own error.
  return typeof message === "string" && (message.includes(`'${driver}'`) || message.includes(`"${driver}"`));
}

/**
 * What to throw when importing a driver failed: a `ConfigError` naming the package to install
 * when it is simply not installed, the original error otherwise.
 *
 * @example
 * try { await import("pg"); } catch (error) { throw explainDriverImportError(error, "pg"); }
 * // ConfigError: TESSERA_DATABASE_URL: install the "pg" package to use postgres:// URLs (npm install pg)
 */
export function explainDriverImportError(error: unknown, driver: SqlDriverPackage): unknown {
  if (!isMissingPackage(error, driver)) return error;
  return new ConfigError("TESSERA_DATABASE_URL", `install the "${driver}" package to use ${DRIVER_USES[driver]} (npm install ${driver})`);
}

/**
 * Imports a driver, only now, so an app that uses one database never needs the other's package.
 * Throws the error {@link explainDriverImportError} gives.
 *
 * @example
 * await importDriver("pg");
 */
export async function importDriver(driver: SqlDriverPackage): Promise<void> {
  try {
    // Literal specifiers, one per driver, so bundlers and the boundary check can see them.
    await (driver === "pg" ? import("pg") : import("better-sqlite3"));
  } catch (error) {
    throw explainDriverImportError(error, driver);
  }
}

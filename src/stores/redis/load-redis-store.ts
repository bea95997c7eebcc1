/**
 * ioredis is an optional peer dependency: only the scaled-out shape needs it. This is the one
 * place that loads it on demand, so a `redis://` URL in an install without it stops with one
 * line saying what to install, not a module-resolution stack.
 */
import type * as RedisStoreModule from "./index.js";

/** Thrown when an optional package a feature needs is not installed; the message is one line saying what to install. */
export class MissingPackageError extends Error {
  readonly packageName: string;
  constructor(packageName: string, usedFor: string, options?: { cause?: unknown }) {
    super(`install the "${packageName}" package to use ${usedFor} (npm install ${packageName})`, options);
    this.name = "MissingPackageError";
    this.packageName = packageName;
  }
}

/**
 * Whether `error` says that `packageName` itself cannot be found (not one of its own
 * dependencies, and not some other failure while loading it).
 *
 * @example
 * isPackageNotFound(error, "ioredis"); // true for "Cannot find package 'ioredis' imported from ..."
 */
export function isPackageNotFound(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error) || !("code" in error)) return false;
  if (error.code !== "ERR_MODULE_NOT_FOUND" && error.code !== "MODULE_NOT_FOUND") return false;
  return error.message.includes(`'${packageName}'`) || error.message.includes(`"${packageName}"`);
}

type RedisStore = typeof RedisStoreModule;

/**
 * Loads Tessera's Redis pieces (and with them ioredis), or throws {@link MissingPackageError}
 * naming ioredis and `usedFor` when it is not installed. `importIoredis` is for tests.
 *
 * @example
 * const { openRedisConnection } = await loadRedisStore("TESSERA_REDIS_URL");
 * // without ioredis: MissingPackageError 'install the "ioredis" package to use TESSERA_REDIS_URL (npm install ioredis)'
 */
export async function loadRedisStore(usedFor: string, importIoredis: () => Promise<unknown> = () => import("ioredis")): Promise<RedisStore> {
  try {
    await importIoredis();
  } catch (error) {
    if (isPackageNotFound(error, "ioredis")) throw new MissingPackageError("ioredis", usedFor, { cause: error });
    throw error;
  }
  return import("./index.js");
}

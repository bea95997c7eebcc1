import type { AppExtensions } from "./app.js";
import type { ServerConfig } from "./config.js";

/**
 * The scaled-out shape (PostgreSQL + Redis): shared revocations and rate limits.
 * Until the Redis wiring lands, several instances still share revocations through the
 * database poll.
 */
export async function createScaleOutExtensions(_config: ServerConfig): Promise<AppExtensions> {
  return { revocationPollIntervalMs: 500 };
}

import type { Tessera } from "../core/auth/tessera.js";
import type { AuthStore } from "../core/store.js";
import type { PostStore } from "../stores/sql/post-store.js";
import type { ServerConfig } from "./config.js";
import type { ServerMetrics } from "./metrics.js";
import type { ProfileCache } from "./profile-cache.js";
import type { ServerLimits } from "./rate-limits.js";

/** A backend whose health `/readyz` reports. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Everything a route needs, built once by `buildApp`. */
export interface ServerContext {
  config: ServerConfig;
  tessera: Tessera;
  users: AuthStore;
  posts: PostStore;
  /** (user, post count) for `GET /api/me`, reused for up to a second. */
  profiles: ProfileCache;
  limits: ServerLimits;
  metrics: ServerMetrics;
  readiness: ReadinessCheck[];
}

import type { Tessera } from "../auth/create-tessera.js";
import type { TouchStamps } from "../auth/touch-stamps.js";
import type { ServerMetrics } from "./metrics.js";
import type { ProfileCache } from "./profile-cache.js";
import type { ServerLimits } from "./server-limits.js";
import type { ServerConfig } from "./config.js";
import type { PostStore, UserRecord, UserStore } from "./store/index.js";

/** A backend whose health `/readyz` reports. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Everything a route needs, built once by `buildApp`. */
export interface ServerContext {
  config: ServerConfig;
  tessera: Tessera<UserRecord>;
  users: UserStore;
  posts: PostStore;
  /** (user, post count) for `GET /api/me`, reused for up to a second. */
  profiles: ProfileCache;
  limits: ServerLimits;
  metrics: ServerMetrics;
  readiness: ReadinessCheck[];
  /** Last-seen stamps, written at most once a minute per user. */
  touches: TouchStamps;
}

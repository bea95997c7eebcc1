// `tessera/server`: the reference server as a library.
export { buildApp, REDACTED_LOG_PATHS, type AppExtensions } from "./app.js";
export { loadConfig, parseDurationSeconds, parseRateLimit, parseByteSize, type ServerConfig, type RateLimit, type JwtAlg } from "./config.js";
export { startServer, serve, StartupError, type RunningServer } from "./main.js";
export { createScaleOutExtensions } from "./scale-out.js";

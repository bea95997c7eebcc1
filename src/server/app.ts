import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import Fastify, { type FastifyInstance } from "fastify";
import { createTessera, type Tessera } from "../auth/create-tessera.js";
import type { RevocationFeed } from "../auth/revocation-service.js";
import { enterAuditContext } from "../auth/audit-log.js";
import { TouchStamps } from "../auth/touch-stamps.js";
import type { Clock } from "../core/clock.js";
import { BackendUnavailableError, ConfigError } from "../core/errors.js";
import type { LimiterFactory } from "../http/rate-limit.js";
import { withDatabaseAllowance } from "../stores/sql/database-deadline.js";
import { openServerDatabase, type ServerDatabase } from "./server-database.js";
import { installRouteGuard } from "./route-guard.js";
import type { ServerConfig } from "./config.js";
import { limitConnectionsPerIp } from "./connection-limit.js";
import type { ReadinessCheck, ServerContext } from "./context.js";
import { BackendHealth } from "./backend-health.js";
import { handleFrameworkError, installErrorHandling } from "./error-handler.js";
import { lazyRequestLoggerFactory } from "./lazy-request-logger.js";
import { ServerMetrics } from "./metrics.js";
import { ProfileCache } from "./profile-cache.js";
import { createServerLimits } from "./server-limits.js";
import { scopesOf } from "./scopes.js";
import type { UserRecord } from "./store/index.js";
import { sharedSchemas } from "./schemas.js";
import { databaseUnavailable } from "./startup-error.js";
import { registerConsoleRoutes } from "./routes/console.js";
import { registerConsoleAdminRoutes } from "./routes/console-admin.js";
import { registerAdminClientRoutes } from "./routes/admin-clients.js";
import { registerAdminExplainRoute } from "./routes/admin-explain.js";
import { registerAuditEventRoutes } from "./routes/audit-events.js";
import { registerMeRoutes } from "./routes/me.js";
import { registerOauthRoutes } from "./routes/oauth.js";
import { registerOperationRoutes } from "./routes/operations.js";
import { registerPostRoutes } from "./routes/posts.js";
import { registerTokenRoutes } from "./routes/tokens.js";
import { registerUserRoutes } from "./routes/users.js";

/** What the scaled-out shape plugs in (Redis); all optional. */
export interface AppExtensions {
  revocationFeed?: RevocationFeed;
  limiterFactory?: LimiterFactory;
  readiness?: ReadinessCheck[];
  /** Poll the database for revocations every N ms (several instances). */
  revocationPollIntervalMs?: number;
  /** Called when the app closes, after the store. */
  onClose?: () => Promise<void>;
  /** Override pino (tests pass false). */
  logger?: boolean;
  /** Where pino writes (default stdout). */
  logStream?: NodeJS.WritableStream;
  /** The clock of every token decision (tests move it instead of sleeping). Default: the system clock. */
  clock?: Clock;
}

/** Header and body paths pino must never print. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["api-token"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "password",
  "*.password",
  "*.current_password",
  "*.refresh_token",
  "*.client_secret",
  "*.access_token",
  "*.token",
];

/**
 * Builds the reference server (never listens): opens and migrates the store, loads the key
 * ring, and registers every route of the HTTP contract. `app.close()` releases everything.
 * A database that cannot be opened, migrated or read is a `StartupError` naming
 * TESSERA_DATABASE_URL (never the URL itself); a bad value stays a `ConfigError`.
 *
 * @example
 * const app = await buildApp(loadConfig({ TESSERA_DATABASE_URL: "sqlite::memory:" }));
 * const response = await app.inject({ method: "GET", url: "/healthz" });
 */
export async function buildApp(config: ServerConfig, extensions: AppExtensions = {}): Promise<FastifyInstance> {
  let database: ServerDatabase;
  // Logged once the logger exists (below).
  const warnings: string[] = [];
  try {
    database = await openServerDatabase(config.databaseUrl, {
      poolSize: config.databasePoolSize,
      connectionTimeoutMs: config.databaseTimeoutMs,
      onWarning: (message) => warnings.push(message),
      secretsKeys: config.secretsKeys,
    });
  } catch (error) {
    await extensions.onClose?.();
    throw error instanceof ConfigError ? error : databaseUnavailable(error, config);
  }
  const store = database.sealed;
  const metrics = new ServerMetrics();
  let tessera: Tessera<UserRecord> | undefined;
  try {
    try {
      await database.migrate();
    } catch (error) {
      // Any migration failure (refused, no such database, permissions) means this database cannot be used.
      throw databaseUnavailable(error, config);
    }
    if (!config.issuerConfigured) {
      // Without TESSERA_ISSUER, every instance on this database adopts the first one's default
      // (http://HOST:PORT), so a token minted on one instance verifies on the others.
      config = { ...config, issuer: await store.getOrCreateSecret("default-issuer", () => config.issuer) };
    }
    const users = database.users;
    tessera = await createTessera<UserRecord>({
      store,
      users: {
        findForLogin: (username) => users.getUserByUsername(username),
        byId: (id) => users.getUserById(Number(id)),
        setPasswordHash: (id, hash) => users.setPasswordHash(Number(id), hash),
      },
      scopes: scopesOf,
      ...(extensions.clock === undefined ? {} : { clock: extensions.clock }),
      issuer: config.issuer,
      audience: config.audience,
      // Unset TESSERA_JWT_ALG keeps whatever signs now: starting must not undo an operator's
      // `keys rotate --alg`. A fresh database gets config.jwtAlg.
      ...(config.jwtAlgConfigured ? { jwtAlg: config.jwtAlg } : {}),
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
      verifiedTokenCacheSize: config.tokenCacheSize,
      audit: {
        retentionSeconds: config.auditRetentionSeconds,
        chain: config.auditChain,
        flushIntervalMs: config.auditFlushIntervalMs,
        onDrop: (count) => metrics.auditDropped.inc(count),
      },
      ...(extensions.revocationFeed ? { revocationFeed: extensions.revocationFeed } : {}),
      ...(extensions.revocationPollIntervalMs === undefined ? {} : { revocationPollIntervalMs: extensions.revocationPollIntervalMs }),
    });
  } catch (error) {
    await store.close();
    await extensions.onClose?.();
    // The database answered the migrations but failed while the keys or the issuer were loaded.
    throw error instanceof BackendUnavailableError && error.backend === "database" ? databaseUnavailable(error, config) : error;
  }
  const ready = tessera;
  metrics.onRefused = (limit, key) => ready.audit.rateLimited(limit, key);
  metrics.observeMemory(() => ready.stats());

  const app = Fastify({
    logger:
      extensions.logger === false || config.logLevel === "silent"
        ? false
        : {
            level: config.logLevel,
            redact: { paths: REDACTED_LOG_PATHS, censor: "[redacted]" },
            ...(extensions.logStream ? { stream: extensions.logStream } : {}),
          },
    // A request's child logger is made when it first logs (most requests log nothing at warn).
    childLoggerFactory: lazyRequestLoggerFactory,
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
    // Node checks the header and request timeouts on this interval (30 s by default, which would
    // let a slow client overstay a short timeout by that much).
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs) },
    trustProxy: config.trustProxy ?? false,
    // A request that reaches an open connection while the server drains is served, not refused
    // with a 503: the client sent it before it could know (its answer says Connection: close).
    return503OnClosing: false,
    forceCloseConnections: "idle",
    frameworkErrors: handleFrameworkError,
  });

  if (config.connectionsPerIp !== null) {
    limitConnectionsPerIp(app.server, { maxPerIp: config.connectionsPerIp, trustedProxies: config.trustProxy });
  }
  for (const warning of warnings) app.log.warn(warning);
  // Set once the context exists (it probes the context's readiness checks).
  const health: { current?: BackendHealth } = {};
  const profiles = new ProfileCache(database.users, database.posts, () => ready.clock.now(), () => health.current?.isUp("database") === false);
  const context: ServerContext = {
    config,
    tessera: ready,
    users: profiles.wrapUsers(database.users),
    posts: profiles.wrapPosts(database.posts),
    profiles,
    limits: createServerLimits(
      {
        loginAccount: config.loginLimitAccount,
        loginIp: config.loginLimitIp,
        requestToken: config.requestLimitToken,
        signupIp: config.signupLimitIp,
        tokenEndpointIp: config.tokenEndpointLimitIp,
        badTokenIp: config.badTokenLimitIp,
      },
      extensions.limiterFactory,
    ),
    metrics,
    touches: new TouchStamps(ready.clock),
    readiness: [{ name: "database", check: () => store.ping() }, ...(extensions.readiness ?? [])],
  };

  const backendHealth = new BackendHealth({ checks: context.readiness, log: app.log, metrics: context.metrics });
  health.current = backendHealth;
  backendHealth.start();
  app.addHook("onClose", async () => {
    backendHealth.stop();
    await ready.close();
    await store.close();
    await extensions.onClose?.();
  });
  // Callback-style hooks: they run on every request, and an async hook costs a promise each.
  app.addHook("onRequest", (request, reply, done) => {
    void reply.header("x-content-type-options", "nosniff");
    // Every audit event recorded while handling this request says where it came from; the route
    // guard adds who, once the token is verified.
    enterAuditContext({
      ip: request.ip,
      userAgent: request.headers["user-agent"] ?? null,
      requestId: request.id,
      via: `${request.method} ${request.routeOptions.url ?? request.url.split("?")[0] ?? ""}`,
    });
    // One request waits for the database TESSERA_DATABASE_TIMEOUT at most in total, however
    // many store calls it makes (a guard look-up that gives up, then the route's own query).
    withDatabaseAllowance(config.databaseTimeoutMs, done);
  });
  // Draining (SIGTERM): every answer closes its connection, so keep-alive clients move on to
  // another instance and the drain ends once what was accepted is answered.
  let draining = false;
  app.addHook("preClose", (done) => {
    draining = true;
    done();
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (draining) void reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("onResponse", (request, reply, done) => {
    context.metrics.recordRequest(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  installErrorHandling(app, { onBackendUnavailable: (backend) => backendHealth.requestFailed(backend) });
  for (const schema of sharedSchemas) app.addSchema(schema);
  // JSON only (contract: a body that is not JSON is 415); forms are accepted by the OAuth routes alone.
  app.removeContentTypeParser("text/plain");
  // Many clients send `Content-Type: application/json` on every request: an empty body is no body.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") {
      done(null, undefined);
      return;
    }
    const text = typeof body === "string" ? body : body.toString("utf8");
    // No stored text may hold NUL (PostgreSQL refuses it; nothing legitimate needs it).
    if (text.includes("\\u0000")) {
      done(Object.assign(new Error("The body contains a NUL character"), { statusCode: 400, code: "TESSERA_NUL_IN_BODY" }), undefined);
      return;
    }
    void parseJson(request, text, done);
  });
  installValidators(app);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tessera reference server",
        version: "0.1.0",
        description: "Users, posts and the tokens that protect them. Errors are RFC 9457 problem+json with a stable `code`.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "An access token (JWT) or a personal access token (tsr_pat_...)" },
          basic: { type: "http", scheme: "basic" },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });

  const requireAuth = await installRouteGuard(app, context);
  await registerOperationRoutes(app, context);
  await registerTokenRoutes(app, context, requireAuth);
  await registerOauthRoutes(app, context, requireAuth);
  await registerUserRoutes(app, context, requireAuth);
  await registerPostRoutes(app, context, requireAuth);
  await registerMeRoutes(app, context, requireAuth);
  await registerConsoleRoutes(app, context, requireAuth);
  await registerConsoleAdminRoutes(app, context, requireAuth);
  await registerAdminClientRoutes(app, context, requireAuth);
  await registerAuditEventRoutes(app, context, requireAuth);
  await registerAdminExplainRoute(app, context, requireAuth);
  return app;
}

type AddFormats = (ajv: Ajv) => Ajv;

/**
 * Query strings and path parameters arrive as strings, so they are coerced to the schema's
 * types; JSON bodies are not: `{"title": 5}` is a validation error, not the string "5".
 */
function installValidators(app: FastifyInstance): void {
  // ajv-formats is CommonJS; its callable export sits on `default` when imported from ESM.
  const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;
  const options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false } as const;
  const forBodies = addFormats(new Ajv({ ...options, coerceTypes: false }));
  const forStrings = addFormats(new Ajv({ ...options, coerceTypes: "array" }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? forBodies : forStrings).compile(schema));
}

// Seed 000, the "Udacity" signed-token API, on Express.
//
//   POST /api/users            {"username","password"} -> 201 {"username"}, Location
//   GET  /api/users/:id        -> {"username"}
//   GET  /token                Basic username:password -> {"token"} (signed, 600 s)
//   GET  /protected-resource   Basic username:password, or Basic <token>:<anything>
//                              -> {"data": "Hello, <username>!"}
//
// Unlike the tutorial: passwords are argon2id, the signing key is kept in the database (not
// regenerated per process), a token cannot mint another token (GET /token wants the password),
// and an unknown username costs a password verification like a known one.
import { createServer } from "node:http";
import express, { type ErrorRequestHandler, type Request, type Response } from "express";
import { SigningKeys, createPasswordHasher, systemClock, verifyUserPassword, type ErrorCode, type UserRecord } from "../src/core/index.js";
import { requireAuth } from "../src/http/express/index.js";
import { PROBLEM_CONTENT_TYPE, basicScheme, problemFor, type VerifyResult } from "../src/http/index.js";
import { openSqlStore } from "../src/stores/index.js";
import { isMainModule, launch, listenExample, type ExampleOptions, type RunningExample } from "../scripts/run-example.js";

const ISSUER = "urn:tessera:examples:signed-token-basic";
const TOKEN_TTL_SECONDS = 600;
const MAX_PASSWORD_LENGTH = 1024;
const PARSER_ERRORS: Readonly<Record<number, ErrorCode>> = {
  400: "invalid_request",
  413: "body_too_large",
  415: "unsupported_media_type",
};

/** Starts the API; `npm run example -- signed-token-basic` calls it with the environment's settings. */
export async function start(options: ExampleOptions = {}): Promise<RunningExample> {
  const { port = 5000, host = "127.0.0.1", databaseUrl = "sqlite::memory:", clock = systemClock } = options;
  const store = await openSqlStore(databaseUrl);
  await store.migrate();
  const users = store.auth;
  const passwords = createPasswordHasher();
  // Generated once and stored: a file database keeps tokens valid across restarts.
  const keys = new SigningKeys({ store: users, clock, alg: "EdDSA", issuer: ISSUER, audience: ISSUER, accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  await keys.load();

  async function checkPassword(username: string, password: string): Promise<VerifyResult<UserRecord>> {
    // An unknown user costs one verification too, so timing does not tell who exists.
    const login = await verifyUserPassword(passwords, await users.getUserByUsername(username), password);
    return login.ok ? { ok: true, auth: login.user } : { ok: false, code: "credentials_invalid" };
  }

  async function checkToken(token: string): Promise<UserRecord | null> {
    const verified = keys.verify(token);
    return verified.ok ? users.getUserById(Number(verified.claims.sub)) : null;
  }

  const passwordOnly = requireAuth({ schemes: [basicScheme({ verify: checkPassword })] });
  // The tutorial's verify_password: the user-id field is tried as a token first (its password
  // is ignored), then as a username with its password.
  const tokenOrPassword = requireAuth({
    schemes: [
      basicScheme({
        async verify(usernameOrToken, password): Promise<VerifyResult<UserRecord>> {
          const user = await checkToken(usernameOrToken);
          return user !== null ? { ok: true, auth: user } : checkPassword(usernameOrToken, password);
        },
      }),
    ],
  });
  const currentUser = (req: Request): UserRecord => req.auth as UserRecord;

  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "64kb" }));

  app.post("/api/users", async (req, res) => {
    const { username, password } = (req.body ?? {}) as Record<string, unknown>;
    if (!isFilled(username) || !isFilled(password) || password.length > MAX_PASSWORD_LENGTH) {
      sendProblem(res, "validation_failed", "username and password are required");
      return;
    }
    const user = await users.createUser({ username, passwordHash: await passwords.hash(password), now: clock.now() });
    if (user === null) {
      // The tutorial's REST-auth base answers a taken username with 400.
      sendProblem(res, "validation_failed", "user already exists");
      return;
    }
    res.status(201).location(`/api/users/${user.id}`).json({ username: user.username });
  });

  app.get("/api/users/:id", async (req, res) => {
    const id = Number(req.params.id);
    const user = Number.isSafeInteger(id) ? await users.getUserById(id) : null;
    if (user === null) sendProblem(res, "not_found");
    else res.json({ username: user.username });
  });

  app.get("/token", passwordOnly, (req, res) => {
    res.set("Cache-Control", "no-store").json({ token: keys.issue({ sub: currentUser(req).id }).token });
  });

  app.get("/protected-resource", tokenOrPassword, (req, res) => {
    res.json({ data: `Hello, ${currentUser(req).username}!` });
  });

  app.use((_req, res) => sendProblem(res, "not_found"));
  const onError: ErrorRequestHandler = (error: { status?: unknown }, _req, res, _next) => {
    // Body-parser errors carry their 4xx status; anything else is a fault we do not describe.
    sendProblem(res, (typeof error.status === "number" ? PARSER_ERRORS[error.status] : undefined) ?? "internal_error");
  };
  app.use(onError);

  return listenExample(createServer(app), { host, port, release: () => store.close() });
}

function isFilled(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function sendProblem(res: Response, code: ErrorCode, detail?: string): void {
  const problem = problemFor(code, detail === undefined ? {} : { detail });
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.body));
}

if (isMainModule(import.meta.url)) await launch("signed-token-basic", start);

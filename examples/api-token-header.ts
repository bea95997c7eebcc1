// Seed 004, the "api-token header" blog API, on Express.
//
//   POST   /api/v1/users             {"username","password"} -> 201 {"jwt_token"}
//   POST   /api/v1/users/login       {"username","password"} -> {"jwt_token"}
//   GET    /api/v1/users/me          api-token -> the user and their blog posts
//   GET    /api/v1/blogposts         public -> [blogpost]           (as in the tutorial)
//   POST   /api/v1/blogposts         api-token; {"title","contents"} -> 201 blogpost
//   GET    /api/v1/blogposts/:id     public
//   PUT    /api/v1/blogposts/:id     api-token, owner only (else 403)
//   DELETE /api/v1/blogposts/:id     api-token, owner only (else 403) -> 204
//   `api-token: <jwt>`               HS256, sub, iat, exp (one day)
//
// Unlike the tutorial: a missing or bad token is 401 (it answered 400), with a challenge;
// editing another user's post is 403 (it answered 400); the HS256 secret is generated once
// and kept in the database, not read from JWT_SECRET_KEY or hard-coded; passwords are argon2id.
import { createServer } from "node:http";
import express, { type ErrorRequestHandler, type Request } from "express";
import { SigningKeys, createPasswordHasher, systemClock, verifyUserPassword, type UserRecord } from "../src/core/index.js";
import { requireAuth } from "../src/http/express/index.js";
import { headerScheme, type GuardFailure, type VerifyResult } from "../src/http/index.js";
import { openSqlStore, type PostRecord } from "../src/stores/index.js";
import { isMainModule, launch, listenExample, type ExampleOptions, type RunningExample } from "../scripts/run-example.js";

const ISSUER = "urn:tessera:examples:api-token-header";
const TOKEN_TTL_SECONDS = 24 * 60 * 60;
const REALM = "blog-api";
const MAX_PASSWORD_LENGTH = 1024;

/** Starts the API; `npm run example -- api-token-header` calls it with the environment's settings. */
export async function start(options: ExampleOptions = {}): Promise<RunningExample> {
  const { port = 5000, host = "127.0.0.1", databaseUrl = "sqlite::memory:", clock = systemClock } = options;
  const store = await openSqlStore(databaseUrl);
  await store.migrate();
  const { auth: users, posts } = store;
  const passwords = createPasswordHasher();
  // Generated once and stored, instead of JWT_SECRET_KEY: the tutorial's HS256, sub, iat and exp.
  const keys = new SigningKeys({ store: users, clock, alg: "HS256", issuer: ISSUER, audience: ISSUER, accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  await keys.load();
  const issueToken = (user: UserRecord): string => keys.issue({ sub: user.id }).token;

  async function checkToken(token: string): Promise<VerifyResult<UserRecord>> {
    const verified = keys.verify(token);
    if (!verified.ok) return verified;
    const user = await users.getUserById(Number(verified.claims.sub));
    return user !== null ? { ok: true, auth: user } : { ok: false, code: "token_invalid", detail: "user does not exist, bad token" };
  }

  const apiToken = headerScheme({ header: "api-token", verify: checkToken });
  // A failed login is a 401 too, and a 401 carries a challenge (RFC 9110 15.5.2).
  const challenge = apiToken.challenge({ realm: REALM }) ?? "";
  // The tutorial's Auth.auth_required: the library decides (401, not 400), the tutorial's bodies.
  const auth = requireAuth({ realm: REALM, schemes: [apiToken], onFailure: tutorialError });
  const currentUser = (req: Request): UserRecord => req.auth as UserRecord;

  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "64kb" }));

  app.post("/api/v1/users", async (req, res) => {
    const credentials = readCredentials(req.body);
    if (credentials === null) return void res.status(400).json({ error: "username and password are required" });
    const { username, password } = credentials;
    const user = await users.createUser({ username, passwordHash: await passwords.hash(password), now: clock.now() });
    if (user === null) return void res.status(400).json({ error: "User already exist, please supply another username" });
    res.status(201).set("Cache-Control", "no-store").json({ jwt_token: issueToken(user) });
  });

  app.post("/api/v1/users/login", async (req, res) => {
    const credentials = readCredentials(req.body);
    if (credentials === null) return void res.status(400).json({ error: "you need username and password to sign in" });
    // An unknown user costs one verification too, so timing does not tell who exists.
    const login = await verifyUserPassword(passwords, await users.getUserByUsername(credentials.username), credentials.password);
    if (!login.ok) return void res.status(401).set("WWW-Authenticate", challenge).json({ error: "invalid credentials" });
    res.set("Cache-Control", "no-store").json({ jwt_token: issueToken(login.user) });
  });

  app.get("/api/v1/users/me", auth, async (req, res) => {
    const me = currentUser(req);
    const own = await posts.listPosts({ userId: me.id, offset: 0, limit: 1000 });
    res.json({ id: me.id, username: me.username, created_at: iso(me.createdAt), blogposts: own.items.reverse().map(toBlogpost) });
  });

  app.get("/api/v1/blogposts", async (_req, res) => {
    const all = await posts.listPosts({ offset: 0, limit: 1000 });
    res.json(all.items.reverse().map(toBlogpost));
  });

  app.post("/api/v1/blogposts", auth, async (req, res) => {
    const fields = readBlogpost(req.body, true);
    if (fields === null) return void res.status(400).json({ error: "title and contents are required" });
    const { title = "", body = "" } = fields;
    const post = await posts.createPost({ userId: currentUser(req).id, title, body, now: clock.now() });
    res.status(201).json(toBlogpost(post));
  });

  app.get("/api/v1/blogposts/:id", async (req, res) => {
    const post = await findPost(req.params.id);
    if (post === null) return void res.status(404).json({ error: "post not found" });
    res.json(toBlogpost(post));
  });

  app.put("/api/v1/blogposts/:id", auth, async (req, res) => {
    const post = await findPost(req.params.id);
    if (post === null) return void res.status(404).json({ error: "post not found" });
    if (post.userId !== currentUser(req).id) return void res.status(403).json({ error: "permission denied" });
    const fields = readBlogpost(req.body, false);
    if (fields === null) return void res.status(400).json({ error: "title and contents must be strings" });
    const updated = await posts.updatePost(post.id, fields, clock.now());
    if (updated === null) return void res.status(404).json({ error: "post not found" });
    res.json(toBlogpost(updated));
  });

  app.delete("/api/v1/blogposts/:id", auth, async (req, res) => {
    const post = await findPost(req.params.id);
    if (post === null) return void res.status(404).json({ error: "post not found" });
    if (post.userId !== currentUser(req).id) return void res.status(403).json({ error: "permission denied" });
    await posts.deletePost(post.id);
    res.status(204).end();
  });

  async function findPost(rawId: unknown): Promise<PostRecord | null> {
    // Like Flask's <int:blogpost_id>: anything but an integer matches nothing.
    return typeof rawId === "string" && /^\d{1,15}$/.test(rawId) ? posts.getPost(Number(rawId)) : null;
  }

  app.use((_req, res) => void res.status(404).json({ error: "not found" }));
  const onError: ErrorRequestHandler = (error: { status?: unknown }, _req, res, _next) => {
    // Body-parser errors carry their 4xx status; anything else is a fault we do not describe.
    const status = typeof error.status === "number" && error.status >= 400 && error.status < 500 ? error.status : 500;
    res.status(status).json({ error: status === 500 ? "internal server error" : "malformed request" });
  };
  app.use(onError);

  return listenExample(createServer(app), { host, port, release: () => store.close() });
}

// The tutorial's error bodies for a refused token; statuses and challenges stay the library's.
function tutorialError(failure: GuardFailure) {
  if (failure.code === "token_missing") return { body: { error: "Authentication token not provided" } };
  if (failure.code === "token_expired") return { body: { error: "token expired" } };
  return { body: { error: failure.status === 401 ? "invalid token" : failure.problem.detail } };
}

// The tutorial's BlogpostSchema; `contents` is kept in the library's post `body`.
function toBlogpost(post: PostRecord) {
  return {
    id: post.id,
    title: post.title,
    contents: post.body,
    owner_id: post.userId,
    created_at: iso(post.createdAt),
    modified_at: iso(post.updatedAt),
  };
}

function readCredentials(body: unknown): { username: string; password: string } | null {
  const { username, password } = (body ?? {}) as Record<string, unknown>;
  return isFilled(username) && isFilled(password) && password.length <= MAX_PASSWORD_LENGTH ? { username, password } : null;
}

function readBlogpost(body: unknown, required: boolean): { title?: string; body?: string } | null {
  const { title, contents } = (body ?? {}) as Record<string, unknown>;
  if (required && (!isFilled(title) || !isFilled(contents))) return null;
  if ((title !== undefined && !isFilled(title)) || (contents !== undefined && typeof contents !== "string")) return null;
  return { ...(title === undefined ? {} : { title }), ...(contents === undefined ? {} : { body: contents }) };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function isFilled(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

if (isMainModule(import.meta.url)) await launch("api-token-header", start);

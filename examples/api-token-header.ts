// The blog API tutorial "Alarming Authentication" (an `api-token` header, PyJWT), on Express.
//
//   POST   /api/v1/users             {"username","password"} -> 201 {"jwt_token"}
//   POST   /api/v1/users/login       {"username","password"} -> {"jwt_token"}
//   GET    /api/v1/users/me          api-token -> the user and their blog posts
//   GET    /api/v1/blogposts         public -> [blogpost]
//   POST   /api/v1/blogposts         api-token; {"title","contents"} -> 201 blogpost
//   GET    /api/v1/blogposts/:id     public
//   PUT    /api/v1/blogposts/:id     api-token, owner only (else 403)
//   DELETE /api/v1/blogposts/:id     api-token, owner only (else 403) -> 204
//   `api-token: <jwt>`               HS256, sub, iat, exp (one day)
//
// Fixed: a missing or bad token is 401 with a challenge (the tutorial answered 400); editing
// another user's post is 403 (it answered 400); the HS256 secret is generated once and kept in
// the database instead of read from JWT_SECRET_KEY on every request; passwords are argon2id.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import type { Generated } from "kysely";
import { createTessera, systemClock, type Clock } from "tessera-auth";
import { problemErrorHandler, problemNotFound, requireAuth } from "tessera-auth/express";
import { openTokenStore } from "tessera-auth/stores";

const ISSUER = "urn:example:api-token-header";
const REALM = "blog-api";
type Tables = {
  users: { id: Generated<number>; username: string; password_hash: string; created_at: string };
  blogposts: { id: Generated<number>; title: string; contents: string; owner_id: number; created_at: string; modified_at: string };
};
// The tutorial's messages for a refused token; statuses and challenges are Tessera's.
const TOKEN_ERRORS: Readonly<Record<string, string>> = { token_missing: "Authentication token not provided", token_expired: "token expired" };

/** Listens on PORT, HOST and TESSERA_DATABASE_URL unless told otherwise; tests pass a clock they move. */
export async function start(options: { port?: number; host?: string; databaseUrl?: string; clock?: Clock } = {}) {
  const { port = Number(process.env.PORT ?? 5000), host = process.env.HOST ?? "127.0.0.1", clock = systemClock } = options;
  const store = await openTokenStore(options.databaseUrl ?? process.env.TESSERA_DATABASE_URL ?? "sqlite::memory:");
  await store.migrate();
  // The app's own tables, on the token store's connection.
  const db = store.db.withTables<Tables>();
  const id = store.dialect === "postgres" ? "serial" : "integer";
  await db.schema.createTable("users").ifNotExists().addColumn("id", id, (c) => c.primaryKey()).addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull()).addColumn("created_at", "text", (c) => c.notNull()).execute();
  await db.schema.createTable("blogposts").ifNotExists().addColumn("id", id, (c) => c.primaryKey()).addColumn("title", "text", (c) => c.notNull())
    .addColumn("contents", "text", (c) => c.notNull()).addColumn("owner_id", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull()).addColumn("modified_at", "text", (c) => c.notNull()).execute();
  const users = db.selectFrom("users").select(["id", "username", "created_at", "password_hash as passwordHash"]);
  const blogposts = db.selectFrom("blogposts").selectAll().orderBy("id");
  // Like Flask's <int:id>: anything but a plain number matches nothing.
  const findPost = (raw: unknown) => blogposts.where("id", "=", /^\d{1,9}$/.test(String(raw)) ? Number(raw) : 0).executeTakeFirst();
  const now = () => new Date(clock.now()).toISOString();
  // HS256 as in the tutorial; the key is generated once and kept in the database.
  const tessera = await createTessera({
    store, clock, issuer: ISSUER, audience: ISSUER, jwtAlg: "HS256", accessTokenTtlSeconds: 86_400,
    users: { findForLogin: (username) => users.where("username", "=", username).executeTakeFirst() },
  });
  const apiToken = tessera.header("api-token", { load: (principal) => users.where("id", "=", Number(principal.userId)).executeTakeFirst() });
  const auth = requireAuth({
    realm: REALM, schemes: [apiToken],
    onFailure: ({ code, status, problem }) => ({ body: { error: TOKEN_ERRORS[code] ?? (status === 401 ? "invalid token" : problem.detail) } }),
  });
  const sendToken = (res: express.Response, status: number, user: { id: number }) =>
    res.status(status).set("Cache-Control", "no-store").json({ jwt_token: tessera.issueAccessToken(user.id).accessToken });

  const app = express().disable("x-powered-by").use(express.json({ limit: "64kb" }));
  app.post("/api/v1/users", async (req, res) => {
    const { username, password } = req.body ?? {};
    if (!isText(username) || !isText(password)) return void res.status(400).json({ error: "username and password are required" });
    const user = await db.insertInto("users").values({ username, password_hash: await tessera.passwords.hash(password), created_at: now() })
      .onConflict((conflict) => conflict.column("username").doNothing()).returning("id").executeTakeFirst();
    if (!user) return void res.status(400).json({ error: "User already exist, please supply another username" });
    sendToken(res, 201, user);
  });
  app.post("/api/v1/users/login", async (req, res) => {
    const { username, password } = req.body ?? {};
    if (!isText(username) || !isText(password)) return void res.status(400).json({ error: "you need username and password to sign in" });
    const login = await tessera.checkPassword(username, password);
    // A failed login is a 401 too, and a 401 names how to authenticate (RFC 9110 15.5.2).
    if (!login.ok) return void res.status(401).set("WWW-Authenticate", apiToken.challenge({ realm: REALM }) ?? "").json({ error: "invalid credentials" });
    sendToken(res, 200, login.user);
  });
  app.get("/api/v1/users/me", auth, async (req, res) => {
    const { id: userId, username, created_at } = auth.auth(req);
    res.json({ id: userId, username, created_at, blogposts: await blogposts.where("owner_id", "=", userId).execute() });
  });
  app.get("/api/v1/blogposts", async (_req, res) => void res.json(await blogposts.execute()));
  app.post("/api/v1/blogposts", auth, async (req, res) => {
    const { title, contents } = req.body ?? {};
    if (!isText(title) || !isText(contents)) return void res.status(400).json({ error: "title and contents are required" });
    const post = { title, contents, owner_id: auth.auth(req).id, created_at: now(), modified_at: now() };
    const { id: postId } = await db.insertInto("blogposts").values(post).returning("id").executeTakeFirstOrThrow();
    res.status(201).json({ id: postId, ...post });
  });
  app.get("/api/v1/blogposts/:id", async (req, res) => {
    const post = await findPost(req.params.id);
    if (post) res.json(post);
    else res.status(404).json({ error: "post not found" });
  });
  app.put("/api/v1/blogposts/:id", auth, async (req, res) => {
    const post = await findPost(req.params.id);
    if (!post) return void res.status(404).json({ error: "post not found" });
    if (post.owner_id !== auth.auth(req).id) return void res.status(403).json({ error: "permission denied" });
    const { title = post.title, contents = post.contents } = req.body ?? {};
    if (!isText(title) || typeof contents !== "string") return void res.status(400).json({ error: "title and contents must be strings" });
    const changes = { title, contents, modified_at: now() };
    await db.updateTable("blogposts").set(changes).where("id", "=", post.id).execute();
    res.json({ ...post, ...changes });
  });
  app.delete("/api/v1/blogposts/:id", auth, async (req, res) => {
    const post = await findPost(req.params.id);
    if (!post) return void res.status(404).json({ error: "post not found" });
    if (post.owner_id !== auth.auth(req).id) return void res.status(403).json({ error: "permission denied" });
    await db.deleteFrom("blogposts").where("id", "=", post.id).execute();
    res.status(204).end();
  });
  app.use(problemNotFound).use(problemErrorHandler);

  const server = app.listen(port, host);
  await once(server, "listening");
  const close = () => new Promise((closed) => server.close(closed)).then(() => tessera.close()).then(() => store.close());
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, close };
}

const isText = (value: unknown): value is string => typeof value === "string" && value !== "";

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`listening on ${(await start()).url}`);

// The Flask-JWT tutorial "Securing an API with JSON Web Tokens" (users and posts), on Fastify.
//
//   POST /signup                        {"username","password"} -> 201 {"id","username","posts"}
//   POST /auth                          {"username","password"} -> {"access_token"}; bad -> 401 (Flask-JWT's body)
//   Authorization: JWT <token>          claims identity, iat, nbf, exp (300 s)
//   GET/PUT/DELETE /users/:id           oneself only, else 403
//   GET/POST /users/:user_id/posts      read: any user; write: only user_id's token, else 403
//   GET/PUT/DELETE /users/:user_id/posts/:id
//
// Fixed: an unknown username on /auth is a 401 like a wrong password (the tutorial crashed);
// /users/:id acts on :id, not on whoever called; writing a post needs its owner's token; a taken
// username is 409, not a 200 with a string; the signing key lives in the database instead of
// 'super-secret' in the source; passwords are argon2id (the tutorial used bcrypt).
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyRequest } from "fastify";
import type { Generated } from "kysely";
import { createTessera, systemClock, type Clock } from "tessera-auth";
import { problemErrorHandler, problemNotFoundHandler, requireAuth, sendProblem } from "tessera-auth/fastify";
import { openTokenStore } from "tessera-auth/stores";

const ISSUER = "urn:example:flask-jwt-posts";
type Tables = {
  users: { id: Generated<number>; username: string; password_hash: string };
  posts: { id: Generated<number>; user_id: number; title: string; body: string; created: string };
};
type Params = { id: string; user_id: string };
type Fields = Record<string, unknown> | undefined;

/** Listens on PORT, HOST and TESSERA_DATABASE_URL unless told otherwise; tests pass a clock they move. */
export async function start(options: { port?: number; host?: string; databaseUrl?: string; clock?: Clock } = {}) {
  const { port = Number(process.env.PORT ?? 5000), host = process.env.HOST ?? "127.0.0.1", clock = systemClock } = options;
  const store = await openTokenStore(options.databaseUrl ?? process.env.TESSERA_DATABASE_URL ?? "sqlite::memory:");
  await store.migrate();
  // The app's own tables, on the token store's connection.
  const db = store.db.withTables<Tables>();
  const id = store.dialect === "postgres" ? "serial" : "integer";
  await db.schema.createTable("users").ifNotExists().addColumn("id", id, (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull().unique()).addColumn("password_hash", "text", (c) => c.notNull()).execute();
  await db.schema.createTable("posts").ifNotExists().addColumn("id", id, (c) => c.primaryKey()).addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull()).addColumn("body", "text", (c) => c.notNull())
    .addColumn("created", "text", (c) => c.notNull()).execute();
  const users = db.selectFrom("users").select(["id", "username", "password_hash as passwordHash"]);
  const userBy = (column: "id" | "username", value: string | number) => users.where(column, "=", value).executeTakeFirst();
  const posts = db.selectFrom("posts").innerJoin("users", "users.id", "posts.user_id")
    .select(["posts.id", "title", "body", "created", "user_id", "username"]).orderBy("posts.id");
  const tessera = await createTessera({ store, clock, issuer: ISSUER, audience: ISSUER, users: { findForLogin: (name) => userBy("username", name) } });
  // Flask-JWT's identity(payload): the token names the user, who must still exist.
  const jwtScheme = tessera.bearer({ scheme: "JWT", load: (principal) => userBy("id", Number(principal.userId)) });
  const jwt = requireAuth({ realm: "Login Required", schemes: [jwtScheme] });
  const protect = { onRequest: jwt };
  const toUser = async (user: { id: number; username: string }) =>
    ({ id: user.id, username: user.username, posts: (await posts.where("user_id", "=", user.id).execute()).map(toPost) });
  const self = (request: FastifyRequest<{ Params: Params }>) => (idOf(request.params.id) === jwt.auth(request).id ? jwt.auth(request) : null);
  const findPost = (params: Params) => posts.where("posts.id", "=", idOf(params.id)).where("user_id", "=", idOf(params.user_id)).executeTakeFirst();

  const app = Fastify({ bodyLimit: 64 * 1024 }).setErrorHandler(problemErrorHandler).setNotFoundHandler(problemNotFoundHandler);
  app.post<{ Body: Fields }>("/signup", async (request, reply) => {
    const { username, password } = request.body ?? {};
    if (!isText(username) || !isText(password)) return sendProblem(reply, "validation_failed", { detail: "username and password are required" });
    const user = await db.insertInto("users").values({ username, password_hash: await tessera.passwords.hash(password) })
      .onConflict((conflict) => conflict.column("username").doNothing()).returning(["id", "username"]).executeTakeFirst();
    return user ? reply.code(201).send(await toUser(user)) : sendProblem(reply, "username_taken", { detail: "Username already exists" });
  });
  app.post<{ Body: Fields }>("/auth", async (request, reply) => {
    const { username, password } = request.body ?? {};
    const login = await tessera.checkPassword(String(username ?? ""), String(password ?? ""));
    if (!login.ok) {
      const body = { description: "Invalid credentials", error: "Bad Request", status_code: 401 }; // Flask-JWT's, status included
      return reply.code(401).header("WWW-Authenticate", 'JWT realm="Login Required"').send(body);
    }
    const { accessToken } = tessera.issueAccessToken(login.user, { ttlSeconds: 300, claims: { identity: login.user.id } });
    return reply.header("Cache-Control", "no-store").send({ access_token: accessToken });
  });
  app.get<{ Params: Params }>("/users/:id", protect, async (request, reply) => {
    const me = self(request);
    return me ? toUser(me) : sendProblem(reply, "forbidden");
  });
  app.put<{ Params: Params; Body: Fields }>("/users/:id", protect, async (request, reply) => {
    const me = self(request);
    if (!me) return sendProblem(reply, "forbidden");
    const { username = me.username, password } = request.body ?? {};
    if (!isText(username) || (password !== undefined && !isText(password))) return sendProblem(reply, "validation_failed");
    if (username !== me.username && (await userBy("username", username))) return sendProblem(reply, "username_taken");
    const passwordHash = isText(password) ? await tessera.passwords.hash(password) : me.passwordHash;
    await db.updateTable("users").set({ username, password_hash: passwordHash }).where("id", "=", me.id).execute();
    return toUser({ id: me.id, username });
  });
  app.delete<{ Params: Params }>("/users/:id", protect, async (request, reply) => {
    const me = self(request);
    if (!me) return sendProblem(reply, "forbidden");
    await db.deleteFrom("posts").where("user_id", "=", me.id).execute();
    await db.deleteFrom("users").where("id", "=", me.id).execute();
    await tessera.forgetUser(me.id);
    return reply.code(204).send();
  });
  app.get<{ Params: Params }>("/users/:user_id/posts", protect, async (request, reply) => {
    const owner = await userBy("id", idOf(request.params.user_id));
    return owner ? (await toUser(owner)).posts : sendProblem(reply, "not_found");
  });
  app.post<{ Params: Params; Body: Fields }>("/users/:user_id/posts", protect, async (request, reply) => {
    const me = jwt.auth(request);
    if (idOf(request.params.user_id) !== me.id) return sendProblem(reply, "forbidden");
    const { title, body } = request.body ?? {};
    if (!isText(title) || typeof body !== "string") return sendProblem(reply, "validation_failed", { detail: "title and body are required" });
    const post = { user_id: me.id, title, body, created: new Date(clock.now()).toISOString() };
    const { id: postId } = await db.insertInto("posts").values(post).returning("id").executeTakeFirstOrThrow();
    return reply.code(201).send(toPost({ ...post, id: postId, username: me.username }));
  });
  app.get<{ Params: Params }>("/users/:user_id/posts/:id", protect, async (request, reply) => {
    const post = await findPost(request.params);
    return post ? toPost(post) : sendProblem(reply, "not_found");
  });
  app.put<{ Params: Params; Body: Fields }>("/users/:user_id/posts/:id", protect, async (request, reply) => {
    if (idOf(request.params.user_id) !== jwt.auth(request).id) return sendProblem(reply, "forbidden");
    const post = await findPost(request.params);
    if (!post) return sendProblem(reply, "not_found");
    const { title = post.title, body = post.body } = request.body ?? {};
    if (!isText(title) || typeof body !== "string") return sendProblem(reply, "validation_failed", { detail: "title and body must be strings" });
    await db.updateTable("posts").set({ title, body }).where("id", "=", post.id).execute();
    return toPost({ ...post, title, body });
  });
  app.delete<{ Params: Params }>("/users/:user_id/posts/:id", protect, async (request, reply) => {
    if (idOf(request.params.user_id) !== jwt.auth(request).id) return sendProblem(reply, "forbidden");
    const post = await findPost(request.params);
    if (!post) return sendProblem(reply, "not_found");
    await db.deleteFrom("posts").where("id", "=", post.id).execute();
    return reply.code(204).send();
  });

  const url = await app.listen({ port, host });
  return { url, close: () => app.close().then(() => tessera.close()).then(() => store.close()) };
}

// flask-restful's post_fields, with DateTime(dt_format='rfc822').
function toPost(post: { id: number; title: string; body: string; created: string; user_id: number; username: string }) {
  const created = new Date(post.created).toUTCString().replace("GMT", "-0000");
  return { id: post.id, title: post.title, body: post.body, created, user: { id: post.user_id, username: post.username } };
}

// Like Flask's <int:id>: anything but a plain number matches nothing.
const idOf = (raw: string) => (/^\d{1,9}$/.test(raw) ? Number(raw) : 0);
const isText = (value: unknown): value is string => typeof value === "string" && value !== "";

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`listening on ${(await start()).url}`);

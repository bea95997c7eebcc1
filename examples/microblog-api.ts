// The microblog tutorial "API Authentication in Flask" (opaque tokens, Flask-HTTPAuth), on Fastify.
//
//   POST   /api/users               {"username","email","password"} -> 201 user, Location
//   POST   /api/tokens              Basic -> {"token"}; the same token while it has more than 60 s left
//   DELETE /api/tokens              Bearer -> 204; the token is dead
//   GET    /api/users               Bearer; ?page&per_page -> {items, _meta, _links}
//   GET    /api/users/:id           Bearer -> user with _links {self, my_posts, avatar}, post_count, last_seen, about_me
//   GET    /api/users/:id/my-posts  Bearer -> that user's posts, paginated
//   PUT    /api/users/:id           Bearer; another user -> 403
//   POST   /api/posts               Bearer; {"body"} -> 201 post (added: the tutorial wrote posts from its web UI)
//   Errors: the tutorial's {"error": "<reason>"[, "message"]}; every 401 with WWW-Authenticate
//
// Fixed: the token is stored only as a hash (the tutorial kept it in plain text on the user
// row); handing the live token back still works because Tessera derives it from its row with a
// key kept in the database, so whoever can read the whole database must be trusted like that key.
import { createHash } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyReply } from "fastify";
import type { Generated, Selectable } from "kysely";
import { createTessera, systemClock, type Clock } from "tessera-auth";
import { problemErrorHandler, problemNotFoundHandler, requireAuth } from "tessera-auth/fastify";
import { openTokenStore } from "tessera-auth/stores";

const ISSUER = "urn:example:microblog-api";
type Tables = {
  users: { id: Generated<number>; username: string; email: string; password_hash: string; about_me: string | null; last_seen: string };
  posts: { id: Generated<number>; user_id: number; body: string; timestamp: string };
};
type Fields = Record<string, unknown> | undefined;
type Page = { page?: string; per_page?: string };

/** Listens on PORT, HOST and TESSERA_DATABASE_URL unless told otherwise; tests pass a clock they move. */
export async function start(options: { port?: number; host?: string; databaseUrl?: string; clock?: Clock } = {}) {
  const { port = Number(process.env.PORT ?? 5000), host = process.env.HOST ?? "127.0.0.1", clock = systemClock } = options;
  const store = await openTokenStore(options.databaseUrl ?? process.env.TESSERA_DATABASE_URL ?? "sqlite::memory:");
  await store.migrate();
  // The app's own tables, on the token store's connection.
  const db = store.db.withTables<Tables>();
  const id = store.dialect === "postgres" ? "serial" : "integer";
  await db.schema.createTable("users").ifNotExists().addColumn("id", id, (c) => c.primaryKey()).addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("email", "text", (c) => c.notNull().unique()).addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("about_me", "text").addColumn("last_seen", "text", (c) => c.notNull()).execute();
  await db.schema.createTable("posts").ifNotExists().addColumn("id", id, (c) => c.primaryKey()).addColumn("user_id", "integer", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull()).addColumn("timestamp", "text", (c) => c.notNull()).execute();
  const users = db.selectFrom("users").select((eb) => [
    "id", "username", "email", "about_me", "last_seen", "password_hash as passwordHash",
    eb.selectFrom("posts").select((count) => count.fn.countAll().as("n")).whereRef("posts.user_id", "=", "users.id").as("post_count"),
  ]);
  const userBy = (column: "id" | "username" | "email", value: string | number) => users.where(column, "=", value).executeTakeFirst();
  const now = () => new Date(clock.now()).toISOString();
  const tessera = await createTessera({ store, clock, issuer: ISSUER, audience: ISSUER, users: { findForLogin: (name) => userBy("username", name) } });

  // Flask-HTTPAuth's realm and the tutorial's error_response() body; statuses and challenges are Tessera's.
  const guard = { realm: "Authentication Required", onFailure: ({ status }: { status: number }) => ({ body: { error: STATUS_CODES[status] } }) };
  const basicAuth = requireAuth({ ...guard, schemes: [tessera.basic()] });
  // Every request with a token counts as the user being seen, as the tutorial's before_request did.
  const seen = async (userId: string) => {
    await db.updateTable("users").set({ last_seen: now() }).where("id", "=", Number(userId)).execute();
    return userBy("id", Number(userId));
  };
  const tokenAuth = requireAuth({ ...guard, schemes: [tessera.bearer({ accept: ["api"], load: (principal) => seen(principal.userId) })] });
  const tokenOnly = requireAuth({ ...guard, schemes: [tessera.bearer({ accept: ["api"] })] });
  const protect = { onRequest: tokenAuth };

  const app = Fastify({ bodyLimit: 64 * 1024 }).setErrorHandler(problemErrorHandler).setNotFoundHandler(problemNotFoundHandler);
  app.post<{ Body: Fields }>("/api/users", async (request, reply) => {
    const { username, email, password } = request.body ?? {};
    if (!isText(username) || !isText(email) || !isText(password)) return sendError(reply, 400, "must include username, email and password fields");
    if (await userBy("username", username)) return sendError(reply, 400, "please use a different username");
    if (await userBy("email", email)) return sendError(reply, 400, "please use a different email address");
    const row = { username, email, password_hash: await tessera.passwords.hash(password), about_me: null, last_seen: now() };
    const created = await db.insertInto("users").values(row).returning("id").executeTakeFirstOrThrow();
    return reply.code(201).header("Location", `/api/users/${created.id}`).send(toUser({ ...row, ...created, post_count: 0 }));
  });
  // The tutorial's get_token(expires_in=120): its live token while that has more than 60 s left.
  app.post("/api/tokens", { onRequest: basicAuth }, async (request, reply) => {
    const { token } = await tessera.tokens.issue(basicAuth.auth(request).id, { kind: "api", ttlSeconds: 120, reuseIfValidFor: 60 });
    return reply.header("Cache-Control", "no-store").send({ token });
  });
  app.delete("/api/tokens", { onRequest: tokenOnly }, async (request, reply) => {
    await tessera.logout(tokenOnly.auth(request));
    return reply.code(204).send();
  });
  app.get<{ Querystring: Page }>("/api/users", protect, async (request) => {
    const { total } = await db.selectFrom("users").select((eb) => eb.fn.countAll().as("total")).executeTakeFirstOrThrow();
    return paginate(request.query, "/api/users", Number(total), async (limit, offset) =>
      (await users.orderBy("id").limit(limit).offset(offset).execute()).map(toUser));
  });
  app.get<{ Params: { id: string } }>("/api/users/:id", protect, async (request, reply) => {
    const user = await userBy("id", idOf(request.params.id));
    return user ? toUser(user) : sendError(reply, 404);
  });
  app.get<{ Params: { id: string }; Querystring: Page }>("/api/users/:id/my-posts", protect, async (request, reply) => {
    const user = await userBy("id", idOf(request.params.id));
    if (!user) return sendError(reply, 404);
    const posts = db.selectFrom("posts").selectAll().where("user_id", "=", user.id);
    return paginate(request.query, `/api/users/${user.id}/my-posts`, Number(user.post_count), async (limit, offset) =>
      (await posts.orderBy("id").limit(limit).offset(offset).execute()).map(toPost));
  });
  app.put<{ Params: { id: string }; Body: Fields }>("/api/users/:id", protect, async (request, reply) => {
    const me = tokenAuth.auth(request);
    if (idOf(request.params.id) !== me.id) return sendError(reply, 403);
    const { username = me.username, email = me.email, about_me = me.about_me } = request.body ?? {};
    if (!isText(username) || !isText(email) || (about_me !== null && typeof about_me !== "string")) return sendError(reply, 400, "invalid fields");
    if (username !== me.username && (await userBy("username", username))) return sendError(reply, 400, "please use a different username");
    if (email !== me.email && (await userBy("email", email))) return sendError(reply, 400, "please use a different email address");
    await db.updateTable("users").set({ username, email, about_me }).where("id", "=", me.id).execute();
    return toUser({ ...me, username, email, about_me });
  });
  app.post<{ Body: Fields }>("/api/posts", protect, async (request, reply) => {
    const { body } = request.body ?? {};
    if (!isText(body)) return sendError(reply, 400, "must include a body field");
    const post = { user_id: tokenAuth.auth(request).id, body, timestamp: now() };
    const { id: postId } = await db.insertInto("posts").values(post).returning("id").executeTakeFirstOrThrow();
    return reply.code(201).send(toPost({ ...post, id: postId }));
  });

  const url = await app.listen({ port, host });
  return { url, close: () => app.close().then(() => tessera.close()).then(() => store.close()) };
}

function toUser(user: Omit<Selectable<Tables["users"]>, "password_hash"> & { post_count: unknown }) {
  const { id, username, last_seen, about_me } = user;
  const avatar = createHash("md5").update(user.email.toLowerCase()).digest("hex"); // Gravatar's key, not a security use
  return {
    id, username, last_seen, about_me, post_count: Number(user.post_count),
    _links: { self: `/api/users/${id}`, my_posts: `/api/users/${id}/my-posts`, avatar: `https://www.gravatar.com/avatar/${avatar}?d=identicon&s=128` },
  };
}

function toPost(post: Selectable<Tables["posts"]>) {
  return { id: post.id, body: post.body, timestamp: post.timestamp, _links: { author: `/api/users/${post.user_id}` } };
}

// The tutorial's PaginatedAPIMixin.to_collection_dict().
async function paginate<T>(query: Page, path: string, total: number, load: (limit: number, offset: number) => Promise<T[]>) {
  const page = Math.max(idOf(query.page ?? "1"), 1);
  const perPage = Math.min(Math.max(idOf(query.per_page ?? "10"), 1), 100);
  const pages = Math.ceil(total / perPage);
  const link = (to: number) => `${path}?page=${to}&per_page=${perPage}`;
  return {
    items: await load(perPage, (page - 1) * perPage),
    _meta: { page, per_page: perPage, total_pages: pages, total_items: total },
    _links: { self: link(page), next: page < pages ? link(page + 1) : null, prev: page > 1 ? link(page - 1) : null },
  };
}

// The tutorial's error_response(status, message).
function sendError(reply: FastifyReply, status: number, message?: string) {
  return reply.code(status).send(message === undefined ? { error: STATUS_CODES[status] } : { error: STATUS_CODES[status], message });
}

// Like Flask's <int:id>: anything but a plain number matches nothing.
const idOf = (raw: string) => (/^\d{1,9}$/.test(raw) ? Number(raw) : 0);
const isText = (value: unknown): value is string => typeof value === "string" && value !== "";

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`listening on ${(await start()).url}`);

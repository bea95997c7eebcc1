// Seed 001, the "microblog API" with opaque tokens, on Fastify.
//
//   POST   /api/users              {"username","email","password"} -> 201 user, Location
//   POST   /api/tokens             Basic -> {"token"}; the same token while it has > 60 s left
//   DELETE /api/tokens             Bearer -> 204; the token is dead
//   GET    /api/users              Bearer; ?page&per_page -> {items, _meta, _links}
//   GET    /api/users/:id          Bearer -> user with _links {self, my_posts, avatar}, post_count, last_seen, about_me
//   GET    /api/users/:id/my-posts Bearer -> that user's posts, paginated
//   PUT    /api/users/:id          Bearer; another user -> 403
//   POST   /api/posts              Bearer; {"body"} -> 201 post (added: the tutorial wrote posts from its web UI)
//   Errors: {"error": "<reason>"[, "message"]}; 401 with WWW-Authenticate
//
// Unlike the tutorial, the token is never stored: only its SHA-256 hash, next to a random id.
// "The same token while it has more than 60 s left" still works because the token is
// derived, HMAC(server key, id), so it can be recomputed from the id. Passwords are argon2id.
import { createHash, randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { createPasswordHasher, hashToken, systemClock, tokenHashesEqual, verifyUserPassword, type UserRecord } from "../src/core/index.js";
import { deriveOpaqueToken, generateDerivedToken } from "../src/core/tokens/derived-token.js";
import { tessera } from "../src/http/fastify/index.js";
import { basicScheme, bearerScheme, type VerifyResult } from "../src/http/index.js";
import { openSqlStore, type PostRecord } from "../src/stores/index.js";
import { isMainModule, launch, type ExampleOptions, type RunningExample } from "../scripts/run-example.js";

const TOKEN_TTL_SECONDS = 120; // the tutorial's get_token(expires_in=120)
const REUSE_MIN_LEFT_MS = 60_000;
// Tokens are kept in the library's personal-access-token table; this marks ours.
const TOKEN_NAME_PREFIX = "microblog-api:";
const REALM = "Authentication Required"; // Flask-HTTPAuth's default
const MAX_PASSWORD_LENGTH = 1024;

/** Who made the request, and with which stored token (null for Basic). */
interface Identity {
  user: UserRecord;
  tokenId: number | null;
}

type Params = { id?: string };
type Query = { page?: string; per_page?: string };
type Body = Record<string, unknown> | undefined;

/** Starts the API; `npm run example -- microblog-api` calls it with the environment's settings. */
export async function start(options: ExampleOptions = {}): Promise<RunningExample> {
  const { port = 5000, host = "127.0.0.1", databaseUrl = "sqlite::memory:", clock = systemClock } = options;
  const store = await openSqlStore(databaseUrl);
  await store.migrate();
  const { auth: users, posts, db } = store;
  const passwords = createPasswordHasher();
  // Shared by every instance on this database and kept across restarts, like a signing key;
  // whoever reads it and the token ids can recompute live tokens, so guard the database alike.
  const tokenKey = Buffer.from(
    await users.getOrCreateSecret("examples/microblog-api/token-key", () => randomBytes(32).toString("base64url")),
    "base64url",
  );

  async function checkPassword(username: string, password: string): Promise<VerifyResult<Identity>> {
    // An unknown user costs one verification too, so timing does not tell who exists.
    const login = await verifyUserPassword(passwords, await users.getUserByUsername(username), password);
    return login.ok ? { ok: true, auth: { user: login.user, tokenId: null } } : { ok: false, code: "credentials_invalid" };
  }

  async function checkToken(token: string): Promise<VerifyResult<Identity>> {
    const tokenHash = hashToken(token);
    const record = await users.getPersonalAccessTokenByHash(tokenHash);
    if (record === null || !record.name.startsWith(TOKEN_NAME_PREFIX) || !tokenHashesEqual(record.tokenHash, tokenHash)) {
      return { ok: false, code: "token_invalid" };
    }
    if (record.revokedAt !== null) return { ok: false, code: "token_revoked" };
    if (record.expiresAt === null || record.expiresAt <= clock.now()) return { ok: false, code: "token_expired" };
    const user = await users.getUserById(record.userId);
    if (user === null) return { ok: false, code: "token_invalid" };
    await touch(user);
    return { ok: true, auth: { user, tokenId: record.id } };
  }

  // The tutorial's User.get_token(): the live token if it has more than 60 s left, else a new one.
  async function getToken(user: UserRecord): Promise<string> {
    const now = clock.now();
    const live = (await users.listPersonalAccessTokens(user.id)).find(
      (record) => record.name.startsWith(TOKEN_NAME_PREFIX) && record.expiresAt !== null && record.expiresAt - now > REUSE_MIN_LEFT_MS,
    );
    if (live !== undefined) {
      const token = deriveOpaqueToken({ key: tokenKey, tokenId: live.name.slice(TOKEN_NAME_PREFIX.length) });
      // Only if the key still derives it (a replaced key cannot); otherwise mint a new one.
      if (tokenHashesEqual(hashToken(token), live.tokenHash)) return token;
    }
    // The tutorial kept one token per user and overwrote it: the token being replaced dies now,
    // and expired or revoked ones go too, so the table does not grow with every login.
    await db
      .deleteFrom("personal_access_tokens")
      .where("user_id", "=", user.id)
      .where("name", "like", `${TOKEN_NAME_PREFIX}%`)
      .execute();
    const minted = generateDerivedToken({ key: tokenKey });
    await users.createPersonalAccessToken({
      userId: user.id,
      name: TOKEN_NAME_PREFIX + minted.tokenId,
      scope: "",
      tokenHash: minted.tokenHash,
      now,
      expiresAt: now + TOKEN_TTL_SECONDS * 1000,
    });
    return minted.token;
  }

  async function touch(user: UserRecord): Promise<void> {
    const now = clock.now();
    if (user.lastSeenAt === null || now - user.lastSeenAt >= 60_000) {
      await users.touchUser(user.id, now);
      user.lastSeenAt = now;
    }
  }

  async function toUser(user: UserRecord, postCount?: number) {
    return {
      id: user.id,
      username: user.username,
      last_seen: new Date(user.lastSeenAt ?? user.createdAt).toISOString(),
      about_me: user.aboutMe,
      post_count: postCount ?? (await posts.countPostsByUser(user.id)),
      _links: {
        self: `/api/users/${user.id}`,
        my_posts: `/api/users/${user.id}/my-posts`,
        avatar: avatarOf(user.email),
      },
    };
  }

  async function isEmailTaken(email: string, exceptUserId?: number): Promise<boolean> {
    let query = db.selectFrom("users").select("id").where("email", "=", email);
    if (exceptUserId !== undefined) query = query.where("id", "!=", exceptUserId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  const app = Fastify({ bodyLimit: 64 * 1024 });
  // The library decides who is authenticated and which challenge a refusal carries; the body
  // is the tutorial's error_response(): {"error": "Unauthorized"}.
  await app.register(tessera, {
    realm: REALM,
    schemes: [bearerScheme({ verify: checkToken })],
    onFailure: (failure) => ({ body: { error: STATUS_CODES[failure.status] } }),
  });
  const basicAuth = { preHandler: app.tessera.guard({ schemes: [basicScheme({ verify: checkPassword })] }) };
  const tokenAuth = { preHandler: app.tessera.guard() };
  const current = (request: FastifyRequest): Identity => request.auth as Identity;

  app.post("/api/users", async (request, reply) => {
    const { username, email, password } = (request.body as Body) ?? {};
    if (!isFilled(username) || !isFilled(email) || !isFilled(password)) {
      return sendError(reply, 400, "must include username, email and password fields");
    }
    if (password.length > MAX_PASSWORD_LENGTH) return sendError(reply, 400, "password is too long");
    if (await isEmailTaken(email)) return sendError(reply, 400, "please use a different email address");
    const user = await users.createUser({ username, email, passwordHash: await passwords.hash(password), now: clock.now() });
    if (user === null) return sendError(reply, 400, "please use a different username");
    return reply.code(201).header("Location", `/api/users/${user.id}`).send(await toUser(user, 0));
  });

  app.post("/api/tokens", basicAuth, async (request, reply) => {
    const { user } = current(request);
    const token = await getToken(user);
    await touch(user);
    return reply.header("Cache-Control", "no-store").send({ token });
  });

  app.delete("/api/tokens", tokenAuth, async (request, reply) => {
    const { user, tokenId } = current(request);
    if (tokenId !== null) await users.revokePersonalAccessToken(user.id, tokenId, clock.now());
    return reply.code(204).send();
  });

  app.get<{ Querystring: Query }>("/api/users", tokenAuth, async (request) => {
    const { page, perPage } = readPage(request.query);
    const found = await users.listUsers({ offset: (page - 1) * perPage, limit: perPage });
    const counts = await posts.getPostCounts(found.items.map((user) => user.id));
    const items = await Promise.all(found.items.map((user) => toUser(user, counts.get(user.id) ?? 0)));
    return toCollection(items, found.total, page, perPage, "/api/users");
  });

  app.get<{ Params: Params }>("/api/users/:id", tokenAuth, async (request, reply) => {
    const user = await findUser(request.params.id);
    return user === null ? sendError(reply, 404) : toUser(user);
  });

  app.get<{ Params: Params; Querystring: Query }>("/api/users/:id/my-posts", tokenAuth, async (request, reply) => {
    const user = await findUser(request.params.id);
    if (user === null) return sendError(reply, 404);
    const { page, perPage } = readPage(request.query);
    const found = await posts.listPosts({ userId: user.id, offset: (page - 1) * perPage, limit: perPage });
    return toCollection(found.items.map(toPost), found.total, page, perPage, `/api/users/${user.id}/my-posts`);
  });

  app.put<{ Params: Params }>("/api/users/:id", tokenAuth, async (request, reply) => {
    const { user: me } = current(request);
    if (parseId(request.params.id) !== me.id) return sendError(reply, 403);
    const { username, email, about_me: aboutMe } = (request.body as Body) ?? {};
    if (
      (username !== undefined && !isFilled(username)) ||
      (email !== undefined && !isFilled(email)) ||
      (aboutMe !== undefined && aboutMe !== null && typeof aboutMe !== "string")
    ) {
      return sendError(reply, 400, "username and email must be non-empty strings");
    }
    if (email !== undefined && (await isEmailTaken(email, me.id))) return sendError(reply, 400, "please use a different email address");
    const updated = await users.updateUser(me.id, {
      ...(username === undefined ? {} : { username }),
      ...(email === undefined ? {} : { email }),
      ...(aboutMe === undefined ? {} : { aboutMe }),
    });
    if (updated === "taken") return sendError(reply, 400, "please use a different username");
    return updated === null ? sendError(reply, 404) : toUser(updated);
  });

  app.post("/api/posts", tokenAuth, async (request, reply) => {
    const { body } = (request.body as Body) ?? {};
    if (!isFilled(body)) return sendError(reply, 400, "must include a body field");
    const post = await posts.createPost({ userId: current(request).user.id, title: "", body, now: clock.now() });
    return reply.code(201).send(toPost(post));
  });

  async function findUser(rawId: string | undefined): Promise<UserRecord | null> {
    const id = parseId(rawId);
    return id === null ? null : users.getUserById(id);
  }

  app.setNotFoundHandler((_request, reply) => sendError(reply, 404));
  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    // Fastify's own 4xx (bad JSON, body too large) keep their status; anything else is a 500
    // whose cause stays in the server.
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return sendError(reply, status);
  });

  try {
    const url = await app.listen({ port, host });
    return { url, close: () => app.close().then(() => store.close()) };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function toPost(post: PostRecord) {
  return {
    id: post.id,
    body: post.body,
    timestamp: new Date(post.createdAt).toISOString(),
    author: { id: post.userId, username: post.authorUsername },
    _links: { author: `/api/users/${post.userId}` },
  };
}

// Gravatar's URL scheme (MD5 of the e-mail address is its key, not a security use).
function avatarOf(email: string | null): string {
  const digest = createHash("md5").update((email ?? "").trim().toLowerCase()).digest("hex");
  return `https://www.gravatar.com/avatar/${digest}?d=identicon&s=128`;
}

function readPage(query: Query): { page: number; perPage: number } {
  const page = parseId(query.page) ?? 1;
  const perPage = parseId(query.per_page) ?? 10;
  return { page: Math.max(page, 1), perPage: Math.min(Math.max(perPage, 1), 100) };
}

// The tutorial's PaginatedAPIMixin.to_collection_dict().
function toCollection<T>(items: T[], total: number, page: number, perPage: number, path: string) {
  const totalPages = Math.ceil(total / perPage);
  const link = (target: number): string => `${path}?page=${target}&per_page=${perPage}`;
  return {
    items,
    _meta: { page, per_page: perPage, total_pages: totalPages, total_items: total },
    _links: { self: link(page), next: page < totalPages ? link(page + 1) : null, prev: page > 1 ? link(page - 1) : null },
  };
}

function parseId(raw: string | undefined): number | null {
  // Like Flask's <int:id>: anything but a plain integer matches nothing.
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

function isFilled(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

// The tutorial's error_response(status, message).
function sendError(reply: FastifyReply, status: number, message?: string): FastifyReply {
  return reply.code(status).send(message === undefined ? { error: STATUS_CODES[status] } : { error: STATUS_CODES[status], message });
}

if (isMainModule(import.meta.url)) await launch("microblog-api", start);

// Seed 003, the Flask-JWT users-and-posts API, on Fastify with the tessera plugin.
//
//   POST /signup                         {"username","password"} -> 201 {"id","username","posts"}; taken -> 409
//   POST /auth                           {"username","password"} -> {"access_token"}; bad -> 401 (Flask-JWT body)
//   Authorization: JWT <token>           claims identity, iat, nbf, exp (300 s)
//   GET/PUT/DELETE /users/:id            self only, else 403
//   GET/POST /users/:user_id/posts       read: any user; write: only user_id's token, else 403
//   GET/PUT/DELETE /users/:user_id/posts/:id
//
// Unlike the tutorial: an unknown username on /auth is a 401, not a crash (and costs a password
// verification like a known one); GET /users/:id no longer returns the caller whoever :id is;
// creating a post needs a token; a taken username is 409, not a 200 with a string; passwords
// are argon2id; the signing key lives in the database instead of 'super-secret' in the source.
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import { SigningKeys, createPasswordHasher, systemClock, verifyUserPassword, type ErrorCode, type UserRecord } from "../src/core/index.js";
import { tessera } from "../src/http/fastify/index.js";
import { PROBLEM_CONTENT_TYPE, bearerScheme, problemFor, type VerifyResult } from "../src/http/index.js";
import { openSqlStore, type PostRecord } from "../src/stores/index.js";
import { isMainModule, launch, type ExampleOptions, type RunningExample } from "../scripts/run-example.js";

const ISSUER = "urn:tessera:examples:flask-jwt-posts";
const TOKEN_TTL_SECONDS = 300; // Flask-JWT's JWT_EXPIRATION_DELTA default
const MAX_PASSWORD_LENGTH = 1024;
// Flask-JWT's answer to any failed /auth, unknown usernames included.
const INVALID_CREDENTIALS = { description: "Invalid credentials", error: "Bad Request", status_code: 401 };

// Fastify's own client errors keep their meaning; any other fault is a 500 we do not describe.
const FRAMEWORK_ERRORS: Readonly<Record<number, ErrorCode>> = {
  400: "invalid_request",
  413: "body_too_large",
  415: "unsupported_media_type",
};

type Params = { id?: string; user_id?: string };
type Body = Record<string, unknown> | undefined;

/** Starts the API; `npm run example -- flask-jwt-posts` calls it with the environment's settings. */
export async function start(options: ExampleOptions = {}): Promise<RunningExample> {
  const { port = 5000, host = "127.0.0.1", databaseUrl = "sqlite::memory:", clock = systemClock } = options;
  const store = await openSqlStore(databaseUrl);
  await store.migrate();
  const { auth: users, posts } = store;
  const passwords = createPasswordHasher();
  const keys = new SigningKeys({ store: users, clock, alg: "EdDSA", issuer: ISSUER, audience: ISSUER, accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  await keys.load();

  // Flask-JWT's identity(payload): the verified `identity` claim names the user.
  async function checkToken(token: string): Promise<VerifyResult<UserRecord>> {
    const verified = keys.verify(token);
    if (!verified.ok) return verified;
    const identity = verified.claims.identity;
    const user = typeof identity === "number" ? await users.getUserById(identity) : null;
    return user !== null ? { ok: true, auth: user } : { ok: false, code: "token_invalid", detail: "The user no longer exists" };
  }

  async function toUser(user: UserRecord) {
    const page = await posts.listPosts({ userId: user.id, offset: 0, limit: 1000 });
    return { id: user.id, username: user.username, posts: page.items.reverse().map(toPost) };
  }

  const app = Fastify({ bodyLimit: 64 * 1024 });
  await app.register(tessera, { realm: "Login Required", schemes: [bearerScheme({ scheme: "JWT", verify: checkToken })] });
  const jwtRequired = { preHandler: app.tessera.guard() };
  const currentUser = (request: FastifyRequest): UserRecord => request.auth as UserRecord;

  app.post("/signup", async (request, reply) => {
    const { username, password } = (request.body as Body) ?? {};
    if (!isFilled(username) || !isFilled(password) || password.length > MAX_PASSWORD_LENGTH) {
      return sendProblem(reply, "validation_failed", "username and password are required");
    }
    const user = await users.createUser({ username, passwordHash: await passwords.hash(password), now: clock.now() });
    if (user === null) return sendProblem(reply, "username_taken", "Username already exists");
    return reply.code(201).send(await toUser(user));
  });

  app.post("/auth", async (request, reply) => {
    const { username, password } = (request.body as Body) ?? {};
    const user = isFilled(username) ? await users.getUserByUsername(username) : null;
    // An unknown user costs one verification too, so timing does not tell who exists.
    const login = await verifyUserPassword(passwords, user, typeof password === "string" ? password : "");
    if (!login.ok) return reply.code(401).header("WWW-Authenticate", 'JWT realm="Login Required"').send(INVALID_CREDENTIALS);
    // Flask-JWT's claims (identity, iat, nbf, exp) ride along with the standard ones.
    const { token } = keys.issue({ sub: login.user.id, extraClaims: { identity: login.user.id } });
    return reply.header("Cache-Control", "no-store").send({ access_token: token });
  });

  app.get<{ Params: Params }>("/users/:id", jwtRequired, async (request, reply) => {
    const me = currentUser(request);
    if (parseId(request.params.id) !== me.id) return sendProblem(reply, "forbidden");
    return toUser(me);
  });

  app.put<{ Params: Params }>("/users/:id", jwtRequired, async (request, reply) => {
    const me = currentUser(request);
    if (parseId(request.params.id) !== me.id) return sendProblem(reply, "forbidden");
    const { username, password } = (request.body as Body) ?? {};
    const badPassword = password !== undefined && (!isFilled(password) || password.length > MAX_PASSWORD_LENGTH);
    if ((username !== undefined && !isFilled(username)) || badPassword) {
      return sendProblem(reply, "validation_failed", "username and password must be non-empty strings");
    }
    let updated: UserRecord | "taken" | null = me;
    if (username !== undefined) updated = await users.updateUser(me.id, { username });
    if (updated === "taken") return sendProblem(reply, "username_taken", "Username already exists");
    if (updated === null) return sendProblem(reply, "not_found");
    if (password !== undefined) await users.setPasswordHash(me.id, await passwords.hash(password));
    return toUser(updated);
  });

  app.delete<{ Params: Params }>("/users/:id", jwtRequired, async (request, reply) => {
    const me = currentUser(request);
    if (parseId(request.params.id) !== me.id) return sendProblem(reply, "forbidden");
    await users.deleteUser(me.id);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>("/users/:user_id/posts", jwtRequired, async (request, reply) => {
    const userId = parseId(request.params.user_id);
    const owner = userId === null ? null : await users.getUserById(userId);
    if (owner === null) return sendProblem(reply, "not_found");
    return (await toUser(owner)).posts;
  });

  app.post<{ Params: Params }>("/users/:user_id/posts", jwtRequired, async (request, reply) => {
    if (parseId(request.params.user_id) !== currentUser(request).id) return sendProblem(reply, "forbidden");
    const { title, body } = (request.body as Body) ?? {};
    if (!isFilled(title) || typeof body !== "string") return sendProblem(reply, "validation_failed", "title and body are required");
    const post = await posts.createPost({ userId: currentUser(request).id, title, body, now: clock.now() });
    return reply.code(201).send(toPost(post));
  });

  // The post, if it exists and belongs to :user_id; for writes, only the owner's token passes.
  async function findPost(request: FastifyRequest<{ Params: Params }>, write: boolean): Promise<PostRecord | "forbidden" | "not_found"> {
    const userId = parseId(request.params.user_id);
    if (write && userId !== currentUser(request).id) return "forbidden";
    const id = parseId(request.params.id);
    const post = id === null ? null : await posts.getPost(id);
    return post === null || post.userId !== userId ? "not_found" : post;
  }

  app.get<{ Params: Params }>("/users/:user_id/posts/:id", jwtRequired, async (request, reply) => {
    const post = await findPost(request, false);
    return typeof post === "string" ? sendProblem(reply, post) : toPost(post);
  });

  app.put<{ Params: Params }>("/users/:user_id/posts/:id", jwtRequired, async (request, reply) => {
    const post = await findPost(request, true);
    if (typeof post === "string") return sendProblem(reply, post);
    const { title, body } = (request.body as Body) ?? {};
    if ((title !== undefined && !isFilled(title)) || (body !== undefined && typeof body !== "string")) {
      return sendProblem(reply, "validation_failed", "title and body must be strings");
    }
    const patch = { ...(title === undefined ? {} : { title }), ...(body === undefined ? {} : { body }) };
    const updated = await posts.updatePost(post.id, patch, clock.now());
    return updated === null ? sendProblem(reply, "not_found") : toPost(updated);
  });

  app.delete<{ Params: Params }>("/users/:user_id/posts/:id", jwtRequired, async (request, reply) => {
    const post = await findPost(request, true);
    if (typeof post === "string") return sendProblem(reply, post);
    await posts.deletePost(post.id);
    return reply.code(204).send();
  });

  app.setNotFoundHandler((_request, reply) => sendProblem(reply, "not_found"));
  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    return sendProblem(reply, FRAMEWORK_ERRORS[error.statusCode ?? 500] ?? "internal_error");
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
    title: post.title,
    body: post.body,
    // flask-restful's DateTime(dt_format='rfc822')
    created: new Date(post.createdAt).toUTCString().replace("GMT", "-0000"),
    user: { id: post.userId, username: post.authorUsername },
  };
}

function parseId(raw: string | undefined): number | null {
  // Like Flask's <int:id>: anything but a plain integer matches no resource.
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

function isFilled(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function sendProblem(reply: FastifyReply, code: ErrorCode, detail?: string): FastifyReply {
  const problem = problemFor(code, detail === undefined ? {} : { detail });
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem.body));
}

if (isMainModule(import.meta.url)) await launch("flask-jwt-posts", start);

// Seed 002, the Treehouse "courses API" with MultiAuth, on Hono.
//
//   POST /api/v1/users          {"username","email","password","verify_password"} -> 201 {"username"}
//   GET  /api/v1/users/token    Basic -> {"token"} (signed, 3600 s)
//   GET  /api/v1/courses        public -> {"courses": [...]}
//   POST /api/v1/courses        {"title","url"}, `Authorization: Token <t>` or Basic -> 201 course, Location
//   GET  /api/v1/courses/:id    public;  PUT / DELETE need auth (as in the tutorial)
//
// MultiAuth(token_auth, basic_auth) is one guard over two schemes, token first. Unlike the
// tutorial: a taken username or email is 409, not a 500 from an uncaught exception; passwords
// are argon2id; the signing key is kept in the database instead of a hard-coded SECRET_KEY.
import { createAdaptorServer } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Generated } from "kysely";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { SigningKeys, createPasswordHasher, systemClock, verifyUserPassword, type ErrorCode, type UserRecord } from "../src/core/index.js";
import { requireAuth } from "../src/http/hono/index.js";
import { PROBLEM_CONTENT_TYPE, basicScheme, bearerScheme, problemFor, type VerifyResult } from "../src/http/index.js";
import { openSqlStore } from "../src/stores/index.js";
import type { Server } from "node:http";
import { isMainModule, launch, listenExample, type ExampleOptions, type RunningExample } from "../scripts/run-example.js";

const ISSUER = "urn:tessera:examples:courses-multiauth";
const TOKEN_TTL_SECONDS = 3600;
const MAX_PASSWORD_LENGTH = 1024;

interface CoursesTable {
  id: Generated<number>;
  title: string;
  url: string;
  created_at: number;
}

/** Starts the API; `npm run example -- courses-multiauth` calls it with the environment's settings. */
export async function start(options: ExampleOptions = {}): Promise<RunningExample> {
  const { port = 5000, host = "127.0.0.1", databaseUrl = "sqlite::memory:", clock = systemClock } = options;
  const store = await openSqlStore(databaseUrl);
  await store.migrate();
  const users = store.auth;
  // Courses are this example's own table, next to the library's.
  const db = store.db.withTables<{ courses: CoursesTable }>();
  await db.schema
    .createTable("courses")
    .ifNotExists()
    .addColumn("id", store.dialect === "postgres" ? "serial" : "integer", (col) => col.primaryKey())
    .addColumn("title", "text", (col) => col.notNull())
    .addColumn("url", "text", (col) => col.notNull())
    .addColumn("created_at", "bigint", (col) => col.notNull())
    .execute();
  const passwords = createPasswordHasher();
  const keys = new SigningKeys({ store: users, clock, alg: "EdDSA", issuer: ISSUER, audience: ISSUER, accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  await keys.load();

  async function checkPassword(username: string, password: string): Promise<VerifyResult<UserRecord>> {
    // An unknown user costs one verification too, so timing does not tell who exists.
    const login = await verifyUserPassword(passwords, await users.getUserByUsername(username), password);
    return login.ok ? { ok: true, auth: login.user } : { ok: false, code: "credentials_invalid" };
  }

  async function checkToken(token: string): Promise<VerifyResult<UserRecord>> {
    const verified = keys.verify(token);
    if (!verified.ok) return verified;
    const user = await users.getUserById(Number(verified.claims.sub));
    return user !== null ? { ok: true, auth: user } : { ok: false, code: "token_invalid" };
  }

  const basic = basicScheme({ verify: checkPassword });
  const basicOnly = requireAuth<UserRecord>({ schemes: [basic] });
  // MultiAuth(token_auth, basic_auth): `Authorization: Token <t>` first, then Basic.
  const tokenOrBasic = requireAuth<UserRecord>({ schemes: [bearerScheme({ scheme: "Token", verify: checkToken }), basic] });

  const toCourse = (row: { id: number; title: string; url: string }) => ({ id: row.id, title: row.title, url: row.url });
  const findCourse = async (rawId: string) => {
    const id = Number(rawId);
    // Like Flask's <int:id>: anything but an integer id is simply not found.
    if (!/^\d{1,15}$/.test(rawId)) return undefined;
    return db.selectFrom("courses").selectAll().where("id", "=", id).executeTakeFirst();
  };

  const app = new Hono();
  app.use(bodyLimit({ maxSize: 64 * 1024, onError: (c) => problem(c, "body_too_large") }));

  app.post("/api/v1/users", async (c) => {
    const { username, email, password, verify_password: verifyPassword } = await readBody(c);
    const missing = (["username", "email", "password", "verify_password"] as const).filter(
      (field) => !isFilled({ username, email, password, verify_password: verifyPassword }[field]),
    );
    if (missing.length > 0) {
      return problem(c, "validation_failed", "Missing fields", missing.map((field) => ({ field, message: `No ${field} provided` })));
    }
    if (password !== verifyPassword || String(password).length > MAX_PASSWORD_LENGTH) {
      const message = "Password and password verification do not match";
      return problem(c, "validation_failed", message, [{ field: "verify_password", message }]);
    }
    const taken = await db.selectFrom("users").select("id").where("email", "=", String(email)).executeTakeFirst();
    const user = taken
      ? null
      : await users.createUser({
          username: String(username),
          email: String(email),
          passwordHash: await passwords.hash(String(password)),
          now: clock.now(),
        });
    if (user === null) return problem(c, "username_taken", "User with that email or username already exists");
    return c.json({ username: user.username }, 201);
  });

  app.get("/api/v1/users/token", basicOnly, (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ token: keys.issue({ sub: c.get("auth").id }).token });
  });

  app.get("/api/v1/courses", async (c) => {
    const rows = await db.selectFrom("courses").selectAll().orderBy("id").execute();
    return c.json({ courses: rows.map(toCourse) });
  });

  app.post("/api/v1/courses", tokenOrBasic, async (c) => {
    const fields = readCourse(await readBody(c));
    if (!fields.ok) return problem(c, "validation_failed", "Invalid course", fields.errors);
    const { id } = await db
      .insertInto("courses")
      .values({ title: fields.title, url: fields.url, created_at: clock.now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    c.header("Location", `/api/v1/courses/${id}`);
    return c.json(toCourse({ id, title: fields.title, url: fields.url }), 201);
  });

  app.get("/api/v1/courses/:id", async (c) => {
    const row = await findCourse(c.req.param("id"));
    return row ? c.json(toCourse(row)) : courseNotFound(c);
  });

  app.put("/api/v1/courses/:id", tokenOrBasic, async (c) => {
    const found = await findCourse(c.req.param("id"));
    if (found === undefined) return courseNotFound(c);
    const fields = readCourse(await readBody(c));
    if (!fields.ok) return problem(c, "validation_failed", "Invalid course", fields.errors);
    await db.updateTable("courses").set({ title: fields.title, url: fields.url }).where("id", "=", found.id).execute();
    c.header("Location", `/api/v1/courses/${found.id}`);
    return c.json(toCourse({ id: found.id, title: fields.title, url: fields.url }));
  });

  app.delete("/api/v1/courses/:id", tokenOrBasic, async (c) => {
    const found = await findCourse(c.req.param("id"));
    if (found === undefined) return courseNotFound(c);
    await db.deleteFrom("courses").where("id", "=", found.id).execute();
    c.header("Location", "/api/v1/courses");
    return c.body(null, 204);
  });

  app.notFound((c) => problem(c, "not_found"));
  // Nothing about a fault reaches the client: no message, no stack.
  app.onError((error, c) =>
    error instanceof MalformedBody ? problem(c, "invalid_request", error.message) : problem(c, "internal_error"),
  );

  return listenExample(createAdaptorServer({ fetch: app.fetch }) as Server, { host, port, release: () => store.close() });
}

type Body = Record<string, unknown>;

function courseNotFound(c: Context): Response {
  const id = c.req.param("id") ?? "";
  // Echo the id only when it is one, never an arbitrary path segment.
  return problem(c, "not_found", /^\d{1,15}$/.test(id) ? `Course ${id} does not exist` : undefined);
}

class MalformedBody extends Error {}

/** Like the tutorial's reqparse: JSON or a form. Any other body reads as empty. */
async function readBody(c: Context): Promise<Body> {
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/json")) {
    let parsed: unknown;
    try {
      parsed = await c.req.json();
    } catch {
      throw new MalformedBody("The body is not valid JSON");
    }
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Body) : {};
  }
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    return c.req.parseBody();
  }
  return {};
}

type CourseFields = { ok: true; title: string; url: string } | { ok: false; errors: { field: string; message: string }[] };

function readCourse(body: Body): CourseFields {
  const errors: { field: string; message: string }[] = [];
  const { title, url } = body;
  if (!isFilled(title)) errors.push({ field: "title", message: "No course title provided" });
  if (!isFilled(url)) errors.push({ field: "url", message: "No course URL provided" });
  else if (!isHttpUrl(url)) errors.push({ field: "url", message: "url is not a valid URL" });
  return isFilled(title) && isFilled(url) && errors.length === 0 ? { ok: true, title, url } : { ok: false, errors };
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

function isFilled(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

function problem(c: Context, code: ErrorCode, detail?: string, errors?: { field: string; message: string }[]): Response {
  const { status, body } = problemFor(code, {
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { extra: { errors } }),
  });
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { "Content-Type": PROBLEM_CONTENT_TYPE });
}

if (isMainModule(import.meta.url)) await launch("courses-multiauth", start);

// The Treehouse "Flask REST API" course's tokens and MultiAuth, on Hono.
//
//   POST /api/v1/users          {"username","email","password","verify_password"} -> 201 {"username"}
//   GET  /api/v1/users/token    Basic -> {"token"}, signed, 3600 s
//   GET  /api/v1/courses        public -> {"courses": [...]}
//   POST /api/v1/courses        {"title","url"}, `Authorization: Token <t>` or Basic -> 201 course, Location
//   GET  /api/v1/courses/:id    public; PUT and DELETE need auth (any user, as in the tutorial)
//
// MultiAuth(token_auth, basic_auth) is one requireAuth over two schemes, the token first.
// Fixed: a taken username or email is 409 (the tutorial's uncaught exception made it a 500);
// GET /api/v1/users/token wants the password, so a token cannot extend itself; the signing key
// lives in the database instead of a SECRET_KEY in config.py; passwords are argon2id.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Generated } from "kysely";
import { createTessera, systemClock, type Clock } from "tessera-auth";
import { problem, problemErrorHandler, problemNotFound, requireAuth } from "tessera-auth/hono";
import { openTokenStore } from "tessera-auth/stores";

const ISSUER = "urn:example:courses-multiauth";
type Tables = {
  users: { id: Generated<number>; username: string; email: string; password_hash: string };
  courses: { id: Generated<number>; title: string; url: string };
};

/** Listens on PORT, HOST and TESSERA_DATABASE_URL unless told otherwise; tests pass a clock they move. */
export async function start(options: { port?: number; host?: string; databaseUrl?: string; clock?: Clock } = {}) {
  const { port = Number(process.env.PORT ?? 5000), host = process.env.HOST ?? "127.0.0.1", clock = systemClock } = options;
  const store = await openTokenStore(options.databaseUrl ?? process.env.TESSERA_DATABASE_URL ?? "sqlite::memory:");
  await store.migrate();
  // The app's own tables, on the token store's connection.
  const db = store.db.withTables<Tables>();
  const id = store.dialect === "postgres" ? "serial" : "integer";
  await db.schema.createTable("users").ifNotExists().addColumn("id", id, (c) => c.primaryKey()).addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("email", "text", (c) => c.notNull().unique()).addColumn("password_hash", "text", (c) => c.notNull()).execute();
  await db.schema.createTable("courses").ifNotExists().addColumn("id", id, (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull()).addColumn("url", "text", (c) => c.notNull()).execute();
  const users = db.selectFrom("users").select(["id", "username", "password_hash as passwordHash"]);
  const courses = db.selectFrom("courses").select(["id", "title", "url"]);
  const tessera = await createTessera({
    store, clock, issuer: ISSUER, audience: ISSUER, accessTokenTtlSeconds: 3600,
    users: { findForLogin: (username) => users.where("username", "=", username).executeTakeFirst() },
  });
  const basic = tessera.basic();
  const basicOnly = requireAuth({ schemes: [basic] });
  const token = tessera.bearer({ scheme: "Token", load: (principal) => users.where("id", "=", Number(principal.userId)).executeTakeFirst() });
  // MultiAuth(token_auth, basic_auth): `Authorization: Token <t>` first, then Basic.
  const tokenOrBasic = requireAuth({ schemes: [token, basic] });

  const app = new Hono().use(bodyLimit({ maxSize: 64 * 1024 })).onError(problemErrorHandler).notFound(problemNotFound);
  app.post("/api/v1/users", async (c) => {
    const body = await readBody(c);
    if (body instanceof Response) return body;
    const { username, email, password, verify_password: verifyPassword } = body;
    const detail = "username, email and password are required";
    if (!isText(username) || !isText(email) || !isText(password)) return problem(c, "validation_failed", { detail });
    if (password !== verifyPassword) return problem(c, "validation_failed", { detail: "Password and password verification do not match" });
    const created = await db.insertInto("users").values({ username, email, password_hash: await tessera.passwords.hash(password) })
      .onConflict((conflict) => conflict.doNothing()).returning("id").executeTakeFirst();
    if (!created) return problem(c, "username_taken", { detail: "User with that email or username already exists" });
    return c.json({ username }, 201);
  });
  app.get("/api/v1/users/token", basicOnly, (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ token: tessera.issueAccessToken(c.get("auth")).accessToken });
  });
  app.get("/api/v1/courses", async (c) => c.json({ courses: await courses.orderBy("id").execute() }));
  app.post("/api/v1/courses", tokenOrBasic, async (c) => {
    const course = await readCourse(c);
    if (course instanceof Response) return course;
    const { id } = await db.insertInto("courses").values(course).returning("id").executeTakeFirstOrThrow();
    c.header("Location", `/api/v1/courses/${id}`);
    return c.json({ id, ...course }, 201);
  });
  const findCourse = (raw: string) => courses.where("id", "=", /^\d{1,9}$/.test(raw) ? Number(raw) : 0).executeTakeFirst();
  app.get("/api/v1/courses/:id", async (c) => {
    const found = await findCourse(c.req.param("id"));
    return found ? c.json(found) : problem(c, "not_found", { detail: "Course does not exist" });
  });
  app.put("/api/v1/courses/:id", tokenOrBasic, async (c) => {
    const found = await findCourse(c.req.param("id"));
    if (!found) return problem(c, "not_found", { detail: "Course does not exist" });
    const course = await readCourse(c);
    if (course instanceof Response) return course;
    await db.updateTable("courses").set(course).where("id", "=", found.id).execute();
    c.header("Location", `/api/v1/courses/${found.id}`);
    return c.json({ id: found.id, ...course });
  });
  app.delete("/api/v1/courses/:id", tokenOrBasic, async (c) => {
    const found = await findCourse(c.req.param("id"));
    if (!found) return problem(c, "not_found", { detail: "Course does not exist" });
    await db.deleteFrom("courses").where("id", "=", found.id).execute();
    c.header("Location", "/api/v1/courses");
    return c.body(null, 204);
  });

  const server = serve({ fetch: app.fetch, port, hostname: host });
  await once(server, "listening");
  const close = () => new Promise((closed) => server.close(closed)).then(() => tessera.close()).then(() => store.close());
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, close };
}

// The tutorial's reqparse: a JSON or a form body; malformed JSON is answered here.
async function readBody(c: Context): Promise<Record<string, unknown> | Response> {
  if (!c.req.header("content-type")?.startsWith("application/json")) return c.req.parseBody();
  const body = await c.req.json<unknown>().catch(() => null);
  return typeof body === "object" && body !== null ? { ...body } : problem(c, "invalid_request", { detail: "The body is not valid JSON" });
}

async function readCourse(c: Context): Promise<{ title: string; url: string } | Response> {
  const body = await readBody(c);
  if (body instanceof Response) return body;
  const { title, url } = body;
  const errors = [];
  if (!isText(title)) errors.push({ field: "title", message: "No course title provided" });
  if (!isText(url) || !/^https?:\/\/[^\s/]/.test(url)) errors.push({ field: "url", message: "No http(s) course URL provided" });
  if (errors.length === 0 && isText(title) && isText(url)) return { title, url };
  return problem(c, "validation_failed", { detail: "Invalid course", extra: { errors } });
}

const isText = (value: unknown): value is string => typeof value === "string" && value !== "";

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`listening on ${(await start()).url}`);

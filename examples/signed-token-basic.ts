// The Udacity tutorial "Implementing Token Based Authentication" (itsdangerous, Flask-HTTPAuth), on Express.
//
//   POST /api/users            {"username","password"} -> 201 {"username"}, Location
//   GET  /api/users/:id        -> {"username"}
//   GET  /token                Basic username:password -> {"token"}, signed, 600 s
//   GET  /protected-resource   Basic username:password, or Basic <token>:<anything> -> {"data": "Hello, <username>!"}
//
// Fixed: the signing key is made once and kept in the database, so tokens survive a restart
// (the tutorial drew a new secret per process); GET /token wants the password, so a token
// cannot mint its successor forever; passwords are argon2id.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import type { Generated } from "kysely";
import { createTessera, systemClock, type Clock } from "tessera-auth";
import { problemErrorHandler, problemNotFound, requireAuth, sendProblem } from "tessera-auth/express";
import { openTokenStore } from "tessera-auth/stores";

const ISSUER = "urn:example:signed-token-basic";

/** Listens on PORT, HOST and TESSERA_DATABASE_URL unless told otherwise; tests pass a clock they move. */
export async function start(options: { port?: number; host?: string; databaseUrl?: string; clock?: Clock } = {}) {
  const { port = Number(process.env.PORT ?? 5000), host = process.env.HOST ?? "127.0.0.1", clock = systemClock } = options;
  const store = await openTokenStore(options.databaseUrl ?? process.env.TESSERA_DATABASE_URL ?? "sqlite::memory:");
  await store.migrate();
  // The app's own users table, on the token store's connection.
  const db = store.db.withTables<{ users: { id: Generated<number>; username: string; password_hash: string } }>();
  await db.schema.createTable("users").ifNotExists().addColumn("id", store.dialect === "postgres" ? "serial" : "integer", (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull().unique()).addColumn("password_hash", "text", (c) => c.notNull()).execute();
  const users = db.selectFrom("users").select(["id", "username", "password_hash as passwordHash"]);
  const byId = (id: string) => users.where("id", "=", /^\d{1,9}$/.test(id) ? Number(id) : 0).executeTakeFirst();
  const tessera = await createTessera({
    store, clock, issuer: ISSUER, audience: ISSUER,
    users: { findForLogin: (username) => users.where("username", "=", username).executeTakeFirst() },
  });
  const passwordOnly = requireAuth({ schemes: [tessera.basic()] });
  // The tutorial's verify_password: the username is tried as a token first (the password is then ignored).
  const tokenOrPassword = requireAuth({ schemes: [tessera.basic({ tokenAsUsername: { load: (principal) => byId(principal.userId) } })] });

  const app = express().disable("x-powered-by").use(express.json({ limit: "64kb" }));
  app.post("/api/users", async (req, res) => {
    const { username, password } = req.body ?? {};
    if (!isText(username) || !isText(password)) return sendProblem(res, "validation_failed", { detail: "username and password are required" });
    const user = await db.insertInto("users").values({ username, password_hash: await tessera.passwords.hash(password) })
      .onConflict((conflict) => conflict.column("username").doNothing()).returning("id").executeTakeFirst();
    // A taken username is 400, as in the REST-auth code the tutorial builds on.
    if (!user) return sendProblem(res, "validation_failed", { detail: "user already exists" });
    res.status(201).location(`/api/users/${user.id}`).json({ username });
  });
  app.get("/api/users/:id", async (req, res) => {
    const user = await byId(req.params.id);
    if (user) res.json({ username: user.username });
    else sendProblem(res, "not_found");
  });
  app.get("/token", passwordOnly, (req, res) => {
    res.set("Cache-Control", "no-store").json({ token: tessera.issueAccessToken(passwordOnly.auth(req), { ttlSeconds: 600 }).accessToken });
  });
  app.get("/protected-resource", tokenOrPassword, (req, res) => {
    res.json({ data: `Hello, ${tokenOrPassword.auth(req).username}!` });
  });
  app.use(problemNotFound).use(problemErrorHandler);

  const server = app.listen(port, host);
  await once(server, "listening");
  const close = () => new Promise((closed) => server.close(closed)).then(() => tessera.close()).then(() => store.close());
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, close };
}

const isText = (value: unknown): value is string => typeof value === "string" && value !== "";

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`listening on ${(await start()).url}`);

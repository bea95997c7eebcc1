// A Fastify API with its own users table (UUID ids, bcrypt hashes from an older system) in its
// own SQLite file, adopting Tessera. Everything between the auth markers is its whole auth code.
import Database from "better-sqlite3";
import Fastify from "fastify";
import { createTessera } from "tessera-auth";
import { openTokenStore } from "tessera-auth/stores";
import { authRoutes, problemErrorHandler, requireAuth } from "tessera-auth/fastify";
import type { User } from "./express-app.js";

export async function startFastifyApp(file: string): Promise<{ url: string; close(): Promise<void>; db: Database.Database }> {
  const db = new Database(file);
  db.exec("create table if not exists users (id text primary key, username text unique not null, password_hash text not null)");
  db.exec("create table if not exists notes (id integer primary key, user_id text not null, body text not null)");
  const app = Fastify();

  // auth:begin
  const byName = db.prepare<[string], User>("select id, username, password_hash as passwordHash from users where username = ?");
  const byId = db.prepare<[string], User>("select id, username, password_hash as passwordHash from users where id = ?");
  const store = await openTokenStore(db);
  await store.migrate();
  const tessera = await createTessera<User>({
    store,
    issuer: "http://notes.example",
    audience: "notes",
    scopes: ["notes:read", "notes:write"],
    users: {
      findForLogin: (username) => byName.get(username),
      byId: (id) => byId.get(id),
      setPasswordHash: (id, hash) => void db.prepare("update users set password_hash = ? where id = ?").run(hash, id),
    },
  });
  app.setErrorHandler(problemErrorHandler);
  await app.register(authRoutes, { tessera });
  const bearer = tessera.bearer({ load: (principal) => byId.get(principal.userId) });
  const reader = requireAuth({ schemes: [bearer], scopes: ["notes:read"] });
  const writer = requireAuth({ schemes: [bearer], scopes: ["notes:write"] });
  // auth:end

  app.get("/api/notes", { onRequest: reader }, async (request) =>
    db.prepare("select id, body from notes where user_id = ? order by id").all(reader.auth(request).id),
  );
  app.post<{ Body: { body?: unknown } }>("/api/notes", { onRequest: writer }, async (request, reply) => {
    const body = String(request.body.body);
    const created = db.prepare("insert into notes (user_id, body) values (?, ?)").run(writer.auth(request).id, body);
    return reply.code(201).send({ id: Number(created.lastInsertRowid), body });
  });

  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    db,
    async close() {
      await app.close();
      await tessera.close();
      await store.close();
      db.close();
    },
  };
}

// An Express API with its own users table (UUID ids, bcrypt hashes from an older system) in its
// own SQLite file, adopting Tessera. Everything between the auth markers is its whole auth code.
import Database from "better-sqlite3";
import express from "express";
import type { Server } from "node:http";
import { createTessera } from "tessera-auth";
import { openTokenStore } from "tessera-auth/stores";
import { authRoutes, problemErrorHandler, requireAuth } from "tessera-auth/express";

export interface User {
  id: string;
  username: string;
  passwordHash: string;
}

export async function startExpressApp(file: string): Promise<{ url: string; close(): Promise<void>; db: Database.Database }> {
  const db = new Database(file);
  db.exec("create table if not exists users (id text primary key, username text unique not null, password_hash text not null)");
  db.exec("create table if not exists notes (id integer primary key, user_id text not null, body text not null)");
  const app = express();
  app.use(express.json());

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
  app.use(authRoutes(tessera));
  const bearer = tessera.bearer({ load: (principal) => byId.get(principal.userId) });
  const reader = requireAuth({ schemes: [bearer], scopes: ["notes:read"] });
  const writer = requireAuth({ schemes: [bearer], scopes: ["notes:write"] });
  // auth:end

  app.get("/api/notes", reader, (req, res) => {
    res.json(db.prepare("select id, body from notes where user_id = ? order by id").all(reader.auth(req).id));
  });
  app.post("/api/notes", writer, (req, res) => {
    const body = (req.body as { body?: unknown }).body;
    const created = db.prepare("insert into notes (user_id, body) values (?, ?)").run(writer.auth(req).id, String(body));
    res.status(201).json({ id: Number(created.lastInsertRowid), body: String(body) });
  });
  app.use(problemErrorHandler);

  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tessera.close();
      await store.close();
      db.close();
    },
  };
}

// A Hono API whose data layer is Kysely (so the same app runs on SQLite and PostgreSQL), with
// its own users table (UUID ids, bcrypt hashes from an older system), adopting Tessera.
// Everything between the auth markers is its whole auth code.
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import type { Kysely } from "kysely";
import { createTessera } from "tessera-auth";
import { openTokenStore } from "tessera-auth/stores";
import { authRoutes, problemErrorHandler, requireAuth } from "tessera-auth/hono";

export interface AppTables {
  users: { id: string; username: string; password_hash: string };
  notes: { id: string; user_id: string; body: string };
}

export async function startHonoApp(db: Kysely<AppTables>): Promise<{ url: string; close(): Promise<void> }> {
  await db.schema.createTable("users").ifNotExists().addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("username", "text", (c) => c.notNull().unique()).addColumn("password_hash", "text", (c) => c.notNull()).execute();
  await db.schema.createTable("notes").ifNotExists().addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull()).addColumn("body", "text", (c) => c.notNull()).execute();
  const app = new Hono();

  // auth:begin
  const users = db.selectFrom("users").select(["id", "username", "password_hash as passwordHash"]);
  const store = await openTokenStore(db);
  await store.migrate();
  const tessera = await createTessera({
    store,
    issuer: "http://notes.example",
    audience: "notes",
    scopes: ["notes:read", "notes:write"],
    users: {
      findForLogin: (username) => users.where("username", "=", username).executeTakeFirst(),
      byId: (id) => users.where("id", "=", id).executeTakeFirst(),
      setPasswordHash: async (id, hash) => void (await db.updateTable("users").set({ password_hash: hash }).where("id", "=", id).execute()),
    },
  });
  app.onError(problemErrorHandler);
  app.route("/", authRoutes(tessera));
  const bearer = tessera.bearer({ load: (principal) => users.where("id", "=", principal.userId).executeTakeFirst() });
  const reader = requireAuth({ schemes: [bearer], scopes: ["notes:read"] });
  const writer = requireAuth({ schemes: [bearer], scopes: ["notes:write"] });
  // auth:end

  app.get("/api/notes", reader, async (c) =>
    c.json(await db.selectFrom("notes").select(["id", "body"]).where("user_id", "=", c.get("auth").id).orderBy("id").execute()),
  );
  app.post("/api/notes", writer, async (c) => {
    const body = String(((await c.req.json()) as { body?: unknown }).body);
    const note = { id: crypto.randomUUID(), user_id: c.get("auth").id, body };
    await db.insertInto("notes").values(note).execute();
    return c.json({ id: note.id, body }, 201);
  });

  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(started));
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tessera.close();
      await store.close();
    },
  };
}

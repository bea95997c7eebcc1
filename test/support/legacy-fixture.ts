// The database Tessera 0.1.0 wrote (test/fixtures/make-legacy-fixture.ts), kept in git as the text
// of `sqlite3 FILE .dump` (sequences included) rather than as a binary database file.
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";

const DUMP = new URL("../fixtures/tessera-0.1.0.sqlite.sql", import.meta.url);

/** Writes the 0.1.0 SQLite database to `path` (a file that does not exist yet). */
export function restoreLegacySqlite(path: string): void {
  const database = new Database(path);
  try {
    database.exec(readFileSync(DUMP, "utf8"));
  } finally {
    database.close();
  }
}

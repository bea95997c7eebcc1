import { BackendUnavailableError } from "../core/errors.js";
import type { Clock } from "../core/clock.js";
import { identifyHashScheme } from "../core/passwords/index.js";
import { BCRYPT_MAX_COST, isVerifiableBcrypt } from "../core/passwords/bcrypt.js";
import { parseShaCryptHash, SHA_CRYPT_MAX_ROUNDS } from "../core/passwords/sha-crypt.js";
import type { UserStore } from "../server/store/index.js";
import { isMissingSchemaError } from "./missing-schema.js";
import { isValidEmail, isValidUsername, USERNAME_RULE } from "./user-fields.js";

/** The two file formats `tessera users import` reads. */
export type ImportFormat = "csv" | "jsonl";

/** One user to import, as read from a line. */
export interface ImportRow {
  username: string;
  passwordHash: string;
  email: string | null;
}

/** What one line of an import file holds. Reasons never quote the line: it may carry a hash. */
export type ParsedImportLine =
  | { kind: "blank" }
  | { kind: "header" }
  | { kind: "row"; row: ImportRow }
  | { kind: "invalid"; reason: string };

/** A line that was not imported, for the report on stderr. */
export interface ImportProblem {
  line: number;
  outcome: "skipped" | "failed";
  reason: string;
}

/** Counts of {@link importUsers}. `abortedAtLine` is set when the database went away mid-way. */
export interface ImportSummary {
  imported: number;
  skipped: number;
  failed: number;
  abortedAtLine: number | null;
}

/** Options of {@link importUsers}. */
export interface ImportUsersOptions {
  /** The file's lines, without line endings. */
  lines: AsyncIterable<string>;
  /** Known format; otherwise detected from `fileName`'s extension, then from the first line. */
  format?: ImportFormat | undefined;
  fileName: string;
  store: UserStore;
  clock: Clock;
  /** Check every line and report what would happen, without writing. */
  dryRun?: boolean;
  onProblem: (problem: ImportProblem) => void;
}

// Every supported scheme writes printable ASCII without spaces; anything else is a broken export.
const HASH_SHAPE = /^[\x21-\x7e]{1,1024}$/;
const CSV_HEADERS = ["username,password_hash", "username,password_hash,email"];

/**
 * Picks the format from the file name (`.csv`; `.jsonl`, `.ndjson`, `.json`), else from the
 * first non-blank line (`{` means JSON lines).
 *
 * @example
 * detectImportFormat("users.txt", '{"username":"ada","password_hash":"$2b$..."}'); // "jsonl"
 */
export function detectImportFormat(fileName: string, firstLine: string): ImportFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".json")) return "jsonl";
  return firstLine.trimStart().startsWith("{") ? "jsonl" : "csv";
}

/**
 * Splits one CSV line (RFC 4180 quoting within the line: `"a,b"`, `"say ""hi"""`). Returns
 * null for a stray or unterminated quote; fields spanning lines are not supported.
 *
 * @example
 * splitCsvLine('ada,$2b$12$...,"ada@example.com"'); // ["ada", "$2b$12$...", "ada@example.com"]
 */
export function splitCsvLine(line: string): string[] | null {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (line[at] === '"') {
      let value = "";
      at += 1;
      for (;;) {
        const quote = line.indexOf('"', at);
        if (quote === -1) return null;
        value += line.slice(at, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          at = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      fields.push(value);
      if (at === line.length) return fields;
      if (line[at] !== ",") return null;
      at += 1;
    } else {
      const comma = line.indexOf(",", at);
      const value = comma === -1 ? line.slice(at) : line.slice(at, comma);
      if (value.includes('"')) return null;
      fields.push(value.trim());
      if (comma === -1) return fields;
      at = comma + 1;
    }
  }
}

function checkRow(username: string, passwordHash: string, email: string | null): ParsedImportLine {
  if (!isValidUsername(username)) return { kind: "invalid", reason: `username must be ${USERNAME_RULE}` };
  if (email !== null && !isValidEmail(email)) return { kind: "invalid", reason: "email is not a valid address" };
  if (!HASH_SHAPE.test(passwordHash)) return { kind: "invalid", reason: "password_hash is empty or not a printable hash string" };
  const scheme = identifyHashScheme(passwordHash);
  if (scheme === null) {
    return { kind: "invalid", reason: "password_hash is of an unknown scheme (expected argon2, bcrypt, sha-crypt $5$/$6$, werkzeug pbkdf2/scrypt)" };
  }
  // A hash the login could never verify would lock the user out for good: refuse it now.
  if (scheme === "bcrypt" && !isVerifiableBcrypt(passwordHash)) {
    return { kind: "invalid", reason: `password_hash is a bcrypt hash Tessera cannot verify (cost 4 to ${BCRYPT_MAX_COST})` };
  }
  if ((scheme === "sha256-crypt" || scheme === "sha512-crypt") && parseShaCryptHash(passwordHash) === null) {
    return { kind: "invalid", reason: `password_hash is a sha-crypt hash Tessera cannot verify (at most ${SHA_CRYPT_MAX_ROUNDS} rounds)` };
  }
  return { kind: "row", row: { username, passwordHash, email } };
}

function parseCsv(line: string, isFirst: boolean): ParsedImportLine {
  const fields = splitCsvLine(line);
  if (fields === null) return { kind: "invalid", reason: "malformed CSV (stray or unterminated quote)" };
  if (isFirst && CSV_HEADERS.includes(fields.map((field) => field.trim().toLowerCase()).join(","))) return { kind: "header" };
  if (fields.length < 2 || fields.length > 3) return { kind: "invalid", reason: `expected 2 or 3 fields (username,password_hash[,email]), got ${fields.length}` };
  const [username = "", passwordHash = "", email = ""] = fields;
  return checkRow(username, passwordHash, email === "" ? null : email);
}

function parseJsonLine(line: string): ParsedImportLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a hash.
    return { kind: "invalid", reason: "not valid JSON" };
  }
  const shape = 'expected {"username": string, "password_hash": string, "email"?: string | null}';
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "invalid", reason: shape };
  const { username, password_hash: passwordHash, email } = value as Record<string, unknown>;
  if (typeof username !== "string" || typeof passwordHash !== "string") return { kind: "invalid", reason: shape };
  if (email !== undefined && email !== null && typeof email !== "string") return { kind: "invalid", reason: shape };
  return checkRow(username, passwordHash, typeof email === "string" && email !== "" ? email : null);
}

/**
 * Reads one line of an import file. `isFirst` marks the first non-blank line, where a CSV
 * header row `username,password_hash[,email]` may stand.
 *
 * @example
 * parseImportLine("ada,$2b$12$...", "csv", { isFirst: false }); // { kind: "row", row: { username: "ada", ... } }
 */
export function parseImportLine(line: string, format: ImportFormat, options: { isFirst: boolean }): ParsedImportLine {
  if (line.trim() === "") return { kind: "blank" };
  return format === "csv" ? parseCsv(line, options.isFirst) : parseJsonLine(line);
}

/**
 * Creates a user for every good line, with the password hash as exported: the login re-hashes
 * it with argon2id on the first successful sign-in. A bad line is reported and counted,
 * never fatal; an existing username is skipped. Each user is one insert, so no user is ever
 * half-written. A database outage stops the import (`abortedAtLine`); a missing schema throws.
 *
 * @example
 * const summary = await importUsers({ lines, fileName: "users.csv", store: store.users, clock: systemClock, onProblem: report });
 * console.log(`imported ${summary.imported}, skipped ${summary.skipped}, failed ${summary.failed}`);
 */
export async function importUsers(options: ImportUsersOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, skipped: 0, failed: 0, abortedAtLine: null };
  const seenInDryRun = new Set<string>();
  let format = options.format;
  let lineNumber = 0;
  let sawContent = false;
  for await (const rawLine of options.lines) {
    lineNumber += 1;
    // Spreadsheet exports often start with a byte order mark.
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, "") : rawLine;
    if (line.trim() !== "") format ??= detectImportFormat(options.fileName, line);
    const parsed = parseImportLine(line, format ?? "csv", { isFirst: !sawContent });
    if (parsed.kind !== "blank") sawContent = true;
    if (parsed.kind === "blank" || parsed.kind === "header") continue;
    if (parsed.kind === "invalid") {
      summary.failed += 1;
      options.onProblem({ line: lineNumber, outcome: "failed", reason: parsed.reason });
      continue;
    }
    const { row } = parsed;
    const skip = () => {
      summary.skipped += 1;
      options.onProblem({ line: lineNumber, outcome: "skipped", reason: `user "${row.username}" already exists` });
    };
    try {
      if (options.dryRun === true) {
        const key = row.username.toLowerCase();
        if (seenInDryRun.has(key) || (await options.store.getUserByUsername(row.username))) skip();
        else summary.imported += 1;
        seenInDryRun.add(key);
        continue;
      }
      const created = await options.store.createUser({
        username: row.username,
        passwordHash: row.passwordHash,
        email: row.email,
        now: options.clock.now(),
      });
      if (created) summary.imported += 1;
      else skip();
    } catch (error) {
      if (error instanceof BackendUnavailableError) {
        summary.abortedAtLine = lineNumber;
        return summary;
      }
      // Not the line's fault, and every line would fail the same way.
      if (isMissingSchemaError(error)) throw error;
      // The driver's message may quote the row's values, hash included; say only what happened.
      summary.failed += 1;
      options.onProblem({ line: lineNumber, outcome: "failed", reason: "the database refused the row" });
    }
  }
  return summary;
}

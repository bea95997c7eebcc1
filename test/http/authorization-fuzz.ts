// The 401 rule under fuzzing: random Authorization headers (random bytes, Unicode, quotes, commas,
// tabs, other schemes, huge values), each in one field, never get anything but 401, or 431 for
// an oversize header: never a 400, never a 5xx. Sent over raw sockets, so no client library
// tidies the bytes first.
import { connect } from "node:net";
import { createRandom } from "../support/random.js";

const SCHEMES = ["Bearer", "bearer", "BEARER", "Basic", "Token", "JWT", "Digest", "Negotiate", "ApiKey", "", "Bearer,", "Be arer", "@@", "Bearer\t"];
const PIECES = ['"', "'", ",", ", ", "\t", " ", "=", "==", "\\", ";", ":", "é", "☃", "𝄞", "\u00a0", "eyJhbGciOi", ".", "..", "tsr_pat_", "tsr_rt_", "a", "Z9-._~+/"];

/** One random field value as bytes: what may legally appear in a field value (VCHAR, SP, HTAB, obs-text). */
export function randomAuthorizationValue(random: () => number): Buffer {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const roll = random();
  if (roll < 0.05) {
    // Huge: past Node's 16 KiB header limit (431) or just under it.
    return Buffer.from(`${pick(SCHEMES)} ${"A".repeat(random() < 0.5 ? 20_000 : 7_000)}`, "latin1");
  }
  if (roll < 0.3) {
    // Raw bytes allowed in a field value: HTAB, SP..~ and obs-text 0x80-0xFF.
    const length = 1 + Math.floor(random() * 80);
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) {
      const choice = random();
      bytes[i] = choice < 0.05 ? 0x09 : choice < 0.8 ? 0x20 + Math.floor(random() * 95) : 0x80 + Math.floor(random() * 128);
    }
    return bytes;
  }
  let value = pick(SCHEMES);
  const parts = Math.floor(random() * 8);
  for (let i = 0; i < parts; i++) value += pick(PIECES) + (random() < 0.5 ? random().toString(36).slice(2, 2 + Math.floor(random() * 10)) : "");
  return Buffer.from(value, "utf8");
}

/** Sends one GET with this Authorization field value over a raw socket; resolves the status code. */
export function sendRawAuthorization(port: number, path: string, value: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const head = Buffer.concat(chunks).toString("latin1");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (match?.[1] === undefined) reject(new Error(`no status line in ${JSON.stringify(head.slice(0, 80))}`));
      else resolve(Number(match[1]));
    });
    // Trailing whitespace is not part of a field value (RFC 9110 5.5): keep the value's own.
    const trimmed = Buffer.from(value.toString("latin1").replace(/^[ \t]+|[ \t]+$/g, ""), "latin1");
    socket.end(Buffer.concat([Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: `, "latin1"), trimmed, Buffer.from("\r\n\r\n", "latin1")]));
  });
}

/** Sends `count` random values; returns the ones answered with anything but 401 (or 431 when oversize). */
export async function fuzzAuthorization(port: number, path: string, options: { seed: number; count: number }): Promise<{ value: string; status: number }[]> {
  const random = createRandom(options.seed);
  const bad: { value: string; status: number }[] = [];
  for (let i = 0; i < options.count; i++) {
    const value = randomAuthorizationValue(random);
    const status = await sendRawAuthorization(port, path, value);
    const allowed = status === 401 || (status === 431 && value.length > 8_000);
    if (!allowed) bad.push({ value: value.toString("latin1").slice(0, 120), status });
  }
  return bad;
}

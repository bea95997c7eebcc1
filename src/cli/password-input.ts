import { StringDecoder } from "node:string_decoder";
import type { ReadStream } from "node:tty";
import { EXIT_FAILED, EXIT_USAGE, type CliIo } from "./cli-io.js";

/** Enough for the longest policy-conforming password (1024 code points of up to 4 bytes) and a newline. */
const MAX_LINE_BYTES = 8 * 1024;

/** Options of {@link readPassword}. */
export interface ReadPasswordOptions {
  /** When stdin is a terminal, prompt (without echo) instead of reading a line. `--password-stdin` turns it off. */
  promptOnTerminal: boolean;
}

/** Outcome of {@link readPassword}: the password, or why there is none and the exit code to use. */
export type ReadPasswordResult = { ok: true; password: string } | { ok: false; message: string; exitCode: number };

/**
 * Reads a new password: from a terminal with a prompt that does not echo (asked twice),
 * otherwise the first line of stdin. Never from argv, which other users can read in `ps`.
 *
 * @example
 * // printf '%s\n' "$NEW_PASSWORD" | tessera users set-password ada
 * const input = await readPassword(io, { promptOnTerminal: true });
 * if (!input.ok) return fail(io, input.message, input.exitCode);
 */
export async function readPassword(io: CliIo, options: ReadPasswordOptions): Promise<ReadPasswordResult> {
  const stdin = io.stdin;
  if (!stdin) return { ok: false, message: "the password is read from stdin, and there is none", exitCode: EXIT_USAGE };
  const terminal = stdin as Partial<ReadStream>;
  if (options.promptOnTerminal && terminal.isTTY === true && typeof terminal.setRawMode === "function") {
    const first = await promptHidden(stdin as ReadStream, io.stderr, "New password: ");
    if (first === null) return { ok: false, message: "cancelled", exitCode: EXIT_FAILED };
    const second = await promptHidden(stdin as ReadStream, io.stderr, "Repeat it: ");
    if (second === null) return { ok: false, message: "cancelled", exitCode: EXIT_FAILED };
    if (first !== second) return { ok: false, message: "the two passwords differ", exitCode: EXIT_FAILED };
    if (first === "") return { ok: false, message: "no password given", exitCode: EXIT_USAGE };
    return { ok: true, password: first };
  }
  const password = await readFirstLine(stdin);
  if (password === null) return { ok: false, message: "the password line on stdin is too long", exitCode: EXIT_FAILED };
  if (password === "") return { ok: false, message: "expected the password on the first line of stdin", exitCode: EXIT_USAGE };
  return { ok: true, password };
}

/**
 * The first line of a stream, without its line ending, or null past 8 KiB; stops reading
 * there, so a pipe that stays open after the line does not hang the command.
 *
 * @example
 * await readFirstLine(Readable.from(["s3cret pass\n"])); // "s3cret pass"
 */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string | null> {
  const decoder = new StringDecoder("utf8");
  let text = "";
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    bytes += buffer.length;
    text += decoder.write(buffer);
    if (text.includes("\n")) break;
    if (bytes > MAX_LINE_BYTES) return null;
  }
  text += decoder.end();
  const newline = text.indexOf("\n");
  const line = newline === -1 ? text : text.slice(0, newline);
  if (Buffer.byteLength(line, "utf8") > MAX_LINE_BYTES) return null;
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

/** Reads one line from a terminal without echo; null when cancelled with Ctrl-C. */
function promptHidden(input: ReadStream, output: NodeJS.WritableStream, prompt: string): Promise<string | null> {
  output.write(prompt);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  return new Promise<string | null>((resolve) => {
    let value = "";
    const finish = (result: string | null) => {
      input.removeListener("data", onData);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      resolve(result);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish(value);
        if (char === "\u0003") return finish(null);
        if (char === "\u007f" || char === "\b") value = [...value].slice(0, -1).join("");
        else if (char >= " ") value += char;
        // The policy refuses anything this long anyway; stop collecting.
        if (value.length > MAX_LINE_BYTES) return finish(value);
      }
    };
    input.on("data", onData);
  });
}

import * as assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { describe, it } from "node:test";
import { readFirstLine } from "../../src/cli/password-input.js";

void describe("readFirstLine", () => {
  void it("joins chunks split inside a UTF-8 character and drops only the line ending", async () => {
    const bytes = Buffer.from("pässwörd €uro  \r\nsecond line\n", "utf8");
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 13), bytes.subarray(13)];
    assert.equal(await readFirstLine(Readable.from(chunks)), "pässwörd €uro  ");
  });

  void it("returns at the first newline even if the pipe stays open", async () => {
    const pipe = new PassThrough();
    pipe.write("correct horse battery\n");
    assert.equal(await readFirstLine(pipe), "correct horse battery");
  });

  void it("takes a last line without a newline, and an empty input as empty", async () => {
    assert.equal(await readFirstLine(Readable.from([Buffer.from("no newline")])), "no newline");
    assert.equal(await readFirstLine(Readable.from([])), "");
  });

  void it("gives up (null) past 8 KiB without a newline", async () => {
    const endless = new PassThrough();
    for (let index = 0; index < 10; index += 1) endless.write("x".repeat(1024));
    assert.equal(await readFirstLine(endless), null);
  });
});

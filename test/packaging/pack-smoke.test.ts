import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findUnwanted, readSmokeExample, surveyNodeModules } from "../../scripts/pack-smoke.js";

// The pack smoke test itself installs from the registry and runs last in npm test; these check
// its parts offline.
void describe("pack smoke test parts", () => {
  void it("reads the README's marked Express block and the request to make", () => {
    const readme = [
      "Intro",
      "<!-- pack-smoke: express -->",
      "```js",
      'import express from "express";',
      "```",
      "<!-- pack-smoke-expect: GET /api/notes 401 -->",
    ].join("\n");
    assert.deepEqual(readSmokeExample(readme), {
      language: "js",
      code: 'import express from "express";\n',
      method: "GET",
      path: "/api/notes",
      status: 401,
    });
    assert.equal(readSmokeExample("no marker here"), null);
    assert.throws(() => readSmokeExample("<!-- pack-smoke: express -->\n```js\nx\n```\n"), /pack-smoke-expect/);
  });

  void it("the README's marker, once there, is well-formed JavaScript", () => {
    const example = readSmokeExample(readFileSync(new URL("../../README.md", import.meta.url), "utf8"));
    if (example === null) return;
    assert.match(example.language, /^(js|javascript|mjs)$/);
    assert.equal(example.status, 401);
  });

  void it("finds unwanted packages, nested and scoped ones included", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-survey-"));
    try {
      for (const path of ["express", "jose/node_modules/pg", "@esbuild/linux-x64", "@node-rs/argon2", ".bin"]) mkdirSync(join(dir, path), { recursive: true });
      writeFileSync(join(dir, "express", "index.js"), "x".repeat(1000));
      const survey = surveyNodeModules(dir);
      assert.deepEqual([...survey.packages].sort(), ["@esbuild/linux-x64", "@node-rs/argon2", "express", "jose", "pg"]);
      assert.equal(survey.bytes, 1000);
      assert.deepEqual(findUnwanted(survey.packages), ["@esbuild/linux-x64", "pg"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

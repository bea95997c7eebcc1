// docs/http-api.md is the contract a clone of the repository reads: every endpoint it lists is in
// the server's OpenAPI document with that method, and every error code it names is in
// docs/errors.md (and so, through test/http/problem.test.ts, in the code's one table).
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { makeApp } from "../server/helpers.js";

const contract = readFileSync(new URL("../../docs/http-api.md", import.meta.url), "utf8");
const errorsPage = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** Every `METHOD /path` in the contract's tables (`GET /openapi.json`, `GET /docs` share a row). */
function contractEndpoints(): { method: string; path: string }[] {
  const found: { method: string; path: string }[] = [];
  for (const line of contract.split("\n")) {
    if (!line.startsWith("| `")) continue;
    const firstCell = line.split("|")[1] ?? "";
    for (const match of firstCell.matchAll(/`(GET|POST|PATCH|PUT|DELETE) (\/[^`\s]*)`/g)) found.push({ method: match[1] ?? "", path: match[2] ?? "" });
  }
  return found;
}

void describe("docs/http-api.md and the server agree", () => {
  let app: FastifyInstance;
  let paths: Record<string, Record<string, unknown>>;
  before(async () => {
    app = await makeApp();
    paths = (await app.inject({ method: "GET", url: "/openapi.json" })).json<{ paths: Record<string, Record<string, unknown>> }>().paths;
  });
  after(() => app.close());

  void it("lists only endpoints the OpenAPI document has, with the same method", () => {
    const endpoints = contractEndpoints();
    assert.ok(endpoints.length >= 25, `parsed ${endpoints.length} endpoints: the table format changed`);
    // The OpenAPI document and its page describe the API, not themselves: asked for directly.
    const selfDescribing = new Set(["/docs", "/openapi.json"]);
    const missing = endpoints
      .filter(({ path }) => !selfDescribing.has(path))
      .filter(({ method, path }) => paths[path]?.[method.toLowerCase()] === undefined)
      .map(({ method, path }) => `${method} ${path}`);
    assert.deepEqual(missing, []);
  });

  void it("serves the OpenAPI document and its page", async () => {
    assert.equal((await app.inject({ method: "GET", url: "/openapi.json" })).statusCode, 200);
    assert.ok([200, 302].includes((await app.inject({ method: "GET", url: "/docs" })).statusCode));
  });

  void it("names only error codes docs/errors.md documents", () => {
    const listed = /readable `code`, so a client can\s+tell[\s\S]*?: ([\s\S]*?)\. The list/.exec(contract)?.[1] ?? "";
    const codes = [...listed.matchAll(/`([a-z_]+)`/g)].map((match) => match[1] ?? "");
    assert.ok(codes.length >= 15, `parsed ${codes.length} codes: the contract's sentence changed`);
    const undocumented = codes.filter((code) => !errorsPage.includes(`\`${code}\``));
    assert.deepEqual(undocumented, []);
  });
});

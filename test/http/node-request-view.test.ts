import * as assert from "node:assert/strict";
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { describe, it } from "node:test";
import { createNodeRequestView } from "../../src/http/node-request-view.js";

function incoming(rawHeaders: string[], headers: Record<string, string> = {}): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.rawHeaders = rawHeaders;
  message.headers = headers;
  message.method = "POST";
  message.url = "/api/tokens?x=1";
  return message;
}

void describe("createNodeRequestView", () => {
  void it("reads headers case-insensitively", () => {
    const view = createNodeRequestView(incoming(["Authorization", "Bearer a", "API-Token", "t"]));
    assert.equal(view.header("authorization"), "Bearer a");
    assert.equal(view.header("api-token"), "t");
    assert.equal(view.header("x-missing"), undefined);
    assert.equal(view.method, "POST");
    assert.equal(view.url, "/api/tokens?x=1");
  });

  void it("joins repeated fields, including Authorization which Node would drop", () => {
    const view = createNodeRequestView(incoming(["authorization", "Bearer a", "Authorization", "Bearer b"]));
    assert.equal(view.header("Authorization"), "Bearer a, Bearer b");
  });

  void it("falls back to parsed headers when there are no raw headers", () => {
    const view = createNodeRequestView(incoming([], { authorization: "Bearer a" }), "/x");
    assert.equal(view.header("Authorization"), "Bearer a");
    assert.equal(view.url, "/x");
  });
});

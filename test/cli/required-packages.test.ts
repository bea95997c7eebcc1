import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { COMMAND_PACKAGES, describeMissingPackages, findMissingPackages, SERVER_PACKAGES } from "../../src/cli/required-packages.js";

void describe("required packages", () => {
  void it("finds what a resolver cannot, in the order asked", () => {
    const installed = new Set(["fastify", "ajv"]);
    const resolve = (name: string) => {
      if (!installed.has(name)) throw new Error(`Cannot find package '${name}'`);
      return `file:///node_modules/${name}/index.js`;
    };
    assert.deepEqual(findMissingPackages(["fastify", "prom-client", "ajv", "@fastify/swagger"], resolve), ["prom-client", "@fastify/swagger"]);
    assert.deepEqual(findMissingPackages([], resolve), []);
  });

  void it("finds every server package in this checkout (they are devDependencies)", () => {
    assert.deepEqual(findMissingPackages(SERVER_PACKAGES), []);
    assert.deepEqual(findMissingPackages(["tessera-no-such-package"]), ["tessera-no-such-package"]);
  });

  void it("says in one line what to install", () => {
    assert.equal(describeMissingPackages("serve", ["fastify", "prom-client"]), 'install the packages "tessera serve" needs: npm install fastify prom-client');
    assert.equal(COMMAND_PACKAGES["serve"], SERVER_PACKAGES);
  });
});

// Makes packages look uninstalled to a child Node process: pass the returned arguments before
// the script. A resolve hook answers ERR_MODULE_NOT_FOUND for them (and their subpaths), as
// Node does in an install that lacks them; import.meta.resolve goes through it too.

const HOOKS = `
let hidden = [];
export function initialize(data) { hidden = data.hidden; }
export async function resolve(specifier, context, next) {
  const name = hidden.find((entry) => specifier === entry || specifier.startsWith(entry + "/"));
  if (name !== undefined) {
    const error = new Error("Cannot find package '" + name + "' imported from " + context.parentURL);
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}
`;

/**
 * Node arguments that hide `names` from the child's ES module resolution.
 *
 * @example
 * spawnSync(process.execPath, [...hidePackagesArgs(["fastify"]), "dist/cli/main.js", "serve"]);
 */
export function hidePackagesArgs(names: readonly string[]): string[] {
  const register = `
    import { register } from "node:module";
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, import.meta.url, { data: { hidden: ${JSON.stringify(names)} } });
  `;
  return ["--import", `data:text/javascript,${encodeURIComponent(register)}`];
}

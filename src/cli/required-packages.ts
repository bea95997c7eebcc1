/**
 * Packages a command loads that are optional peer dependencies of tessera-auth: an app that
 * only uses the library does not install them, so the CLI checks for them before loading a
 * command and names what is missing in one line, instead of failing with a resolution stack.
 */

/** What the reference server (`tessera serve`) loads beyond the library's own dependencies. */
export const SERVER_PACKAGES = ["fastify", "@fastify/formbody", "cookie", "@fastify/swagger", "@fastify/swagger-ui", "ajv", "ajv-formats", "prom-client"] as const;

/** Per command; commands not listed need only the library's dependencies. */
export const COMMAND_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  serve: SERVER_PACKAGES,
  // Usernames and emails are validated with the server's rules (ajv-formats' email format).
  users: ["ajv-formats"],
};

/** Resolves a bare specifier from this module, throwing when it cannot be found. */
export type PackageResolver = (name: string) => unknown;

// import.meta.resolve only locates the package: nothing is loaded by the check itself.
const resolveFromHere: PackageResolver = (name) => import.meta.resolve(name);

/**
 * The packages among `names` that cannot be resolved, in the order given.
 *
 * @example
 * findMissingPackages(["fastify", "prom-client"]); // [] in a full install, ["prom-client"] without it
 */
export function findMissingPackages(names: readonly string[], resolve: PackageResolver = resolveFromHere): string[] {
  return names.filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * The one line the CLI prints when `command` lacks packages.
 *
 * @example
 * describeMissingPackages("serve", ["fastify"]);
 * // 'install the packages "tessera serve" needs: npm install fastify'
 */
export function describeMissingPackages(command: string, missing: readonly string[]): string {
  return `install the packages "tessera ${command}" needs: npm install ${missing.join(" ")}`;
}

/**
 * Declares the app's `auth` type once for every adapter (`request.auth` in Fastify,
 * `req.auth` in Express, the default of Hono's `c.get("auth")`).
 *
 * @example
 * declare module "tessera-auth/http" {
 *   interface Register { auth: { userId: number; scope: string } }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface Register {}

/** The registered `auth` type, or `unknown` when the app has not registered one. */
export type RegisteredAuth = Register extends { auth: infer A } ? A : unknown;

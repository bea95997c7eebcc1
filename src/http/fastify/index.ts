// tessera-auth/fastify: the Fastify adapter.
export { fastifyTessera, type FastifyTesseraOptions } from "./plugin.js";
export { requireAuth, type FastifyAuthHook } from "./require-auth.js";
export { authRoutes, type FastifyAuthRoutesOptions } from "./auth-routes.js";
export { sendProblem, problemErrorHandler, problemNotFoundHandler, fieldErrors, type SendProblemOptions } from "./problems.js";
export { tokenResponseBody } from "../auth-routes/attempt-login.js";
export type { AuthRoutesOptions } from "../auth-routes/endpoints.js";

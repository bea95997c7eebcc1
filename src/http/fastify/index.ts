// tessera-auth/fastify: the Fastify adapter.
export { fastifyTessera, type FastifyTesseraOptions } from "./plugin.js";
export { requireAuth, type FastifyAuthHook } from "./require-auth.js";
export { sendProblem, problemErrorHandler, problemNotFoundHandler, fieldErrors, type SendProblemOptions } from "./problems.js";

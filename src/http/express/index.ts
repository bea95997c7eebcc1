// tessera-auth/express: the Express 5 adapter.
export { requireAuth, type ExpressAuthMiddleware } from "./require-auth.js";
export { sendProblem, problemErrorHandler, problemNotFound, type SendProblemOptions } from "./problems.js";

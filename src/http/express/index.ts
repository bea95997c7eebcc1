// tessera-auth/express: the Express 5 adapter.
export { requireAuth, type ExpressAuthMiddleware } from "./require-auth.js";
export { authRoutes } from "./auth-routes.js";
export { sendProblem, problemErrorHandler, problemNotFound, type SendProblemOptions } from "./problems.js";
export { tokenResponseBody } from "../auth-routes/attempt-login.js";
export type { AuthRoutesOptions } from "../auth-routes/endpoints.js";

// tessera-auth/hono: the Hono adapter (Web Request/Response).
export { requireAuth, type TesseraEnv, type TesseraVariables } from "./require-auth.js";
export { authRoutes, type HonoAuthRoutesOptions } from "./auth-routes.js";
export { problem, problemErrorHandler, problemNotFound, type ProblemResponseOptions } from "./problems.js";
export { tokenResponseBody } from "../auth-routes/attempt-login.js";
export type { AuthRoutesOptions } from "../auth-routes/endpoints.js";

// tessera-auth/hono: the Hono adapter (Web Request/Response).
export { requireAuth, type TesseraEnv, type TesseraVariables } from "./require-auth.js";
export { problem, problemErrorHandler, problemNotFound, type ProblemResponseOptions } from "./problems.js";

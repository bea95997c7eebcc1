import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { sendProblem } from "../http/fastify/problems.js";
import type { ServerContext } from "./context.js";
import { authOf, type RequireAuth } from "./route-guard.js";

/**
 * The guard of `/api/admin/*`: an authenticated user (a login or a PAT, never a machine client)
 * whose account is an admin's; anyone else is 403 `forbidden`. The flag is read from the store
 * on every call, so a demoted admin loses access at once.
 */
export function requireAdmin(context: ServerContext, requireAuth: RequireAuth): onRequestAsyncHookHandler[] {
  async function adminOnly(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const auth = authOf(request);
    const user = auth.tokenType === "client_token" ? null : await context.users.getUserById(auth.userId);
    if (user?.isAdmin !== true) {
      context.metrics.authOutcomes.inc({ outcome: "forbidden" });
      await sendProblem(reply, "forbidden", { detail: "Only an administrator can do this" });
    }
  }
  return [...requireAuth(), adminOnly];
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { checkPasswordPolicy } from "../../core/passwords/index.js";
import type { UserPatch, UserRecord } from "../store/index.js";
import { authOf, type RequireAuth, type ServerPrincipal } from "../route-guard.js";
import type { ServerContext } from "../context.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { EMAIL_MAX_LENGTH, USERNAME_MAX_LENGTH, USERNAME_PATTERN, USERNAME_RULE } from "../user-fields.js";
import { parseId, presentPage, presentUser } from "../presenters.js";
import { idParamsSchema, MAX_PER_PAGE, pageSchema, paginationQuerySchema, problemResponses } from "../schemas.js";
import { limitPerIp } from "../ip-limit.js";

// Field rules of the contract ("Users"). Ajv counts string lengths in code points, like the
// password policy, and runs with allErrors so every bad field is reported at once.
const usernameField = {
  type: "string",
  minLength: 1,
  maxLength: USERNAME_MAX_LENGTH,
  pattern: USERNAME_PATTERN,
  description: `${USERNAME_RULE}, unique case-insensitively`,
} as const;
const passwordField = { type: "string", minLength: 8, maxLength: 1024, description: "8-1024 characters, not a common password" } as const;
const emailField = { type: ["string", "null"], format: "email", maxLength: EMAIL_MAX_LENGTH } as const;
const aboutMeField = { type: ["string", "null"], maxLength: 1000 } as const;

/** One entry of a 400 problem's `errors` (docs/http-api.md, Errors). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Answers 400 `validation_failed` with `errors: [{ field, message }]`, the shape Fastify's
 * schema validation produces too.
 *
 * @example
 * return sendValidationProblem(reply, [{ field: "password", message: "is too common" }]);
 */
export function sendValidationProblem(reply: FastifyReply, errors: readonly FieldError[]): FastifyReply {
  return sendProblem(reply, "validation_failed", { detail: "The request is not valid", extra: { errors } });
}

/**
 * Whether the caller may change or delete what `ownerId` owns: the owner themself, or an admin.
 * The caller's record is read only when they are not the owner, so the common case costs nothing.
 *
 * @example
 * if (!(await mayActAs(context, authOf(request), post.userId))) return sendProblem(reply, "forbidden");
 */
export async function mayActAs(context: ServerContext, auth: ServerPrincipal, ownerId: number): Promise<boolean> {
  if (auth.userId === ownerId) return true;
  const caller = await context.users.getUserById(auth.userId);
  return caller?.isAdmin === true;
}

/**
 * Offset and limit of a `?page&per_page` query (both validated >= 1 by the schema).
 *
 * @example
 * const { offset, limit } = pageWindow({ page: 2, per_page: 10 }); // { offset: 10, limit: 10 }
 */
export function pageWindow(query: PageQuery): { offset: number; limit: number } {
  return { offset: (query.page - 1) * query.per_page, limit: query.per_page };
}

/** preHandler of paginated routes: `per_page` above {@link MAX_PER_PAGE} is served as the maximum. */
export function clampPerPage(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const query = request.query as Partial<PageQuery>;
  if (typeof query.per_page === "number" && query.per_page > MAX_PER_PAGE) query.per_page = MAX_PER_PAGE;
  done();
}

/** A `?page&per_page` query after schema defaults are applied. */
export interface PageQuery {
  page: number;
  per_page: number;
}

interface NewUserBody {
  username: string;
  password: string;
  email?: string | null;
  about_me?: string | null;
}

interface UserPatchBody {
  username?: string;
  email?: string | null;
  about_me?: string | null;
  password?: string;
  current_password?: string;
  revoke_tokens?: boolean;
}

/**
 * `POST /api/users`, `GET /api/users`, `GET|PATCH|DELETE /api/users/{id}`.
 * Reading users needs scope `users:read`, changing them `users:write`; sign-up needs no token.
 *
 * @example
 * await registerUserRoutes(app, context, createAuthGuards(context));
 */
export async function registerUserRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  const { tessera, users, posts, limits, metrics } = context;

  async function presentFor(user: UserRecord, viewerId: number | null) {
    return presentUser(user, { postCount: await posts.countPostsByUser(user.id), viewerId });
  }

  function userNotFound(reply: FastifyReply): FastifyReply {
    return sendProblem(reply, "not_found", { detail: "No such user" });
  }

  app.post<{ Body: NewUserBody }>(
    "/api/users",
    {
      onRequest: limitPerIp(context.limits.signupIp, "signup-ip", context.metrics, "Too many sign-ups from this address"),
      schema: {
        tags: ["users"],
        summary: "Register a new user",
        description: "Unknown fields are refused with 400, so a typo (or an attempt to set `is_admin`) never passes silently.",
        security: [],
        body: {
          type: "object",
          properties: { username: usernameField, password: passwordField, email: emailField, about_me: aboutMeField },
          required: ["username", "password"],
          additionalProperties: false,
        },
        response: {
          201: { $ref: "User#" },
          ...problemResponses(400, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const policy = checkPasswordPolicy(body.password);
      if (!policy.ok) return sendValidationProblem(reply, [{ field: "password", message: policy.message }]);
      // Checked before hashing, so a taken name does not cost an argon2 run; createUser's
      // ON CONFLICT still settles a race between two sign-ups for one name.
      if (await users.getUserByUsername(body.username)) return usernameTaken(reply);
      const passwordHash = await tessera.passwords.hash(body.password);
      const created = await users.createUser({
        username: body.username,
        passwordHash,
        email: body.email ?? null,
        aboutMe: body.about_me ?? null,
        now: tessera.clock.now(),
      });
      if (!created) return usernameTaken(reply);
      tessera.audit.record({ type: "user.created", userId: String(created.id), subject: `user:${created.id}`, actorType: "anonymous", actorId: null });
      // The creator is the user, so the 201 shows their email.
      return reply
        .code(201)
        .header("location", `/api/users/${created.id}`)
        .send(presentUser(created, { postCount: 0, viewerId: created.id }));
    },
  );

  app.get<{ Querystring: PageQuery }>(
    "/api/users",
    {
      onRequest: requireAuth({ scopes: ["users:read"] }),
      preHandler: clampPerPage,
      schema: {
        tags: ["users"],
        summary: "List users, a page at a time",
        security: [{ bearer: [] }],
        querystring: paginationQuerySchema,
        response: { 200: pageSchema("User"), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const page = await users.listUsers(pageWindow(request.query));
      const counts = await posts.getPostCounts(page.items.map((user) => user.id));
      const items = page.items.map((user) => presentUser(user, { postCount: counts.get(user.id) ?? 0, viewerId: auth.userId }));
      return presentPage(items, { path: "/api/users", page: request.query.page, perPage: request.query.per_page, totalItems: page.total });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/users/:id",
    {
      onRequest: requireAuth({ scopes: ["users:read"] }),
      schema: {
        tags: ["users"],
        summary: "Get one user",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 200: { $ref: "User#" }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const id = parseId(request.params.id);
      const user = id === null ? null : await users.getUserById(id);
      if (!user) return userNotFound(reply);
      return presentFor(user, authOf(request).userId);
    },
  );

  app.patch<{ Params: { id: string }; Body: UserPatchBody }>(
    "/api/users/:id",
    {
      onRequest: requireAuth({ scopes: ["users:write"] }),
      schema: {
        tags: ["users"],
        summary: "Change a user (self or admin); a password change revokes every other session",
        description:
          "`password` needs `current_password` when you change your own. A wrong `current_password` is a 400 with " +
          "`errors[].field = current_password` and counts as a failed login for the account. A password change " +
          "revokes every other session and, unless `revoke_tokens` is false, every personal access token.",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        body: {
          type: "object",
          properties: {
            username: usernameField,
            email: emailField,
            about_me: aboutMeField,
            password: passwordField,
            current_password: { type: "string", minLength: 1, maxLength: 1024 },
            revoke_tokens: { type: "boolean", default: true, description: "With a password change: revoke the user's personal access tokens too" },
          },
          additionalProperties: false,
        },
        response: { 200: { $ref: "User#" }, ...problemResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const id = parseId(request.params.id);
      const target = id === null ? null : await users.getUserById(id);
      if (!target) return userNotFound(reply);
      if (!(await mayActAs(context, auth, target.id))) {
        return sendProblem(reply, "forbidden", { detail: "You can only change your own account" });
      }
      const body = request.body;
      const isSelf = target.id === auth.userId;
      const newPassword = body.password;

      if (newPassword !== undefined) {
        const errors: FieldError[] = [];
        const policy = checkPasswordPolicy(newPassword);
        if (!policy.ok) errors.push({ field: "password", message: policy.message });
        // An admin resetting someone else's password cannot know the old one.
        if (isSelf && body.current_password === undefined) {
          errors.push({ field: "current_password", message: "is required to change the password" });
        }
        if (errors.length > 0) return sendValidationProblem(reply, errors);
        if (isSelf) {
          const refusal = await checkCurrentPassword(target, body.current_password ?? "");
          if (refusal) return refusal(reply);
        }
      }

      const patch: UserPatch = {
        ...(body.username === undefined ? {} : { username: body.username }),
        ...(body.email === undefined ? {} : { email: body.email }),
        ...(body.about_me === undefined ? {} : { aboutMe: body.about_me }),
      };
      const updated = await users.updateUser(target.id, patch);
      if (updated === "taken") return usernameTaken(reply);
      if (updated === null) return userNotFound(reply);

      if (newPassword !== undefined) {
        await users.setPasswordHash(target.id, await tessera.passwords.hash(newPassword));
        tessera.audit.record({ type: "password.changed", userId: String(target.id), subject: `user:${target.id}`, reason: isSelf ? "self" : "admin_reset" });
        // The caller's own session survives their own change; an admin's reset logs the user out
        // everywhere. A stolen PAT must not outlive the password change either, unless asked.
        const keep = isSelf && auth.sessionId !== null ? { exceptSessionId: auth.sessionId } : {};
        const revoked = await tessera.sessions.revokeAll(target.id, keep);
        metrics.tokensRevoked.inc({ kind: "session" }, revoked);
        if (body.revoke_tokens !== false) {
          for (const token of await tessera.personalAccessTokens.list(target.id)) {
            if ((await tessera.personalAccessTokens.revoke(target.id, token.id)) !== null) metrics.tokensRevoked.inc({ kind: "personal_access_token" });
          }
        }
      }
      return presentFor(updated, auth.userId);
    },
  );

  /**
   * Checks the caller's current password under the per-account login limit, so a stolen access
   * token cannot be used to guess the password faster than the login endpoint allows.
   *
   * A wrong current password is a 400 `validation_failed` on `current_password`, not a 401 or 403:
   * a 401 tells a client its token is bad (it would refresh or log the user out), a 403 that the
   * caller may not do this at all; a field error lets a form say "current password is incorrect".
   */
  async function checkCurrentPassword(user: UserRecord, password: string): Promise<((reply: FastifyReply) => FastifyReply) | null> {
    const accountKey = user.username.toLowerCase();
    const accountLimit = limits.login.perAccount;
    if (accountLimit) {
      // Counted before verifying so concurrent guesses cannot all pass the check (see login.ts).
      const decision = await accountLimit.hit(accountKey);
      if (!decision.allowed) {
        metrics.refused("login-account", accountKey);
        return (reply) =>
          sendProblem(reply, "rate_limited", {
            detail: "Too many failed password attempts for this account",
            headers: { "retry-after": String(decision.resetSeconds) },
          });
      }
    }
    const verdict = await tessera.passwords.verify(user.passwordHash, password);
    if (verdict.ok) {
      if (accountLimit) await accountLimit.reset(accountKey);
      return null;
    }
    return (reply) => sendValidationProblem(reply, [{ field: "current_password", message: "is incorrect" }]);
  }

  app.delete<{ Params: { id: string } }>(
    "/api/users/:id",
    {
      onRequest: requireAuth({ scopes: ["users:write"] }),
      schema: {
        tags: ["users"],
        summary: "Delete a user (self or admin); every token of the user stops working at once",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const id = parseId(request.params.id);
      const target = id === null ? null : await users.getUserById(id);
      if (!target) return userNotFound(reply);
      if (!(await mayActAs(context, auth, target.id))) {
        return sendProblem(reply, "forbidden", { detail: "You can only delete your own account" });
      }
      // Revoke first: if the delete then fails, the tokens are dead anyway (fail closed).
      await tessera.forgetUser(target.id);
      metrics.tokensRevoked.inc({ kind: "user" });
      await users.deleteUser(target.id);
      return reply.code(204).send();
    },
  );
}

function usernameTaken(reply: FastifyReply): FastifyReply {
  return sendProblem(reply, "username_taken", {
    detail: "That username is already taken",
    extra: { errors: [{ field: "username", message: "is already taken" }] },
  });
}

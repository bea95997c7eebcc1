import type { FastifyInstance, FastifyReply } from "fastify";
import type { PostRecord } from "../store/index.js";
import { authOf, type RequireAuth } from "../route-guard.js";
import type { ServerContext } from "../context.js";
import { sendProblem } from "../../http/fastify/problems.js";
import { parseId, presentPage, presentPost } from "../presenters.js";
import { idParamsSchema, pageSchema, paginationQuerySchema, problemResponses } from "../schemas.js";
import { clampPerPage, mayActAs, pageWindow, sendValidationProblem, type FieldError, type PageQuery } from "./users.js";

const titleField = { type: "string", minLength: 1, maxLength: 200 } as const;
const bodyField = { type: "string", minLength: 1, maxLength: 10_000 } as const;

interface PostBody {
  title: string;
  body: string;
}

function toPostView(post: PostRecord) {
  return presentPost({
    id: post.id,
    title: post.title,
    body: post.body,
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
    authorId: post.userId,
    authorUsername: post.authorUsername,
  });
}

/** A title or body of only spaces passes `minLength` but says nothing; refuse it like an empty one. */
function blankFields(fields: Partial<PostBody>): FieldError[] {
  return (["title", "body"] as const)
    .filter((name) => fields[name] !== undefined && fields[name].trim() === "")
    .map((name) => ({ field: name, message: "must not be blank" }));
}

function postNotFound(reply: FastifyReply): FastifyReply {
  return sendProblem(reply, "not_found", { detail: "No such post" });
}

/**
 * `POST|GET /api/posts`, `GET|PATCH|DELETE /api/posts/{id}`, `GET /api/users/{id}/posts`.
 * Reading needs scope `posts:read`, writing `posts:write`; changing or deleting a post needs its
 * author or an admin.
 *
 * @example
 * await registerPostRoutes(app, context, createAuthGuards(context));
 */
export async function registerPostRoutes(app: FastifyInstance, context: ServerContext, requireAuth: RequireAuth): Promise<void> {
  const { tessera, users, posts } = context;

  app.post<{ Body: PostBody }>(
    "/api/posts",
    {
      onRequest: requireAuth({ scopes: ["posts:write"] }),
      schema: {
        tags: ["posts"],
        summary: "Write a post",
        security: [{ bearer: [] }],
        body: {
          type: "object",
          properties: { title: titleField, body: bodyField },
          required: ["title", "body"],
          additionalProperties: false,
        },
        response: { 201: { $ref: "Post#" }, ...problemResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const blank = blankFields(request.body);
      if (blank.length > 0) return sendValidationProblem(reply, blank);
      const post = await posts.createPost({
        userId: auth.userId,
        title: request.body.title,
        body: request.body.body,
        now: tessera.clock.now(),
      });
      return reply.code(201).header("location", `/api/posts/${post.id}`).send(toPostView(post));
    },
  );

  app.get<{ Querystring: PageQuery }>(
    "/api/posts",
    {
      onRequest: requireAuth({ scopes: ["posts:read"] }),
      preHandler: clampPerPage,
      schema: {
        tags: ["posts"],
        summary: "List posts, newest first, a page at a time",
        security: [{ bearer: [] }],
        querystring: paginationQuerySchema,
        response: { 200: pageSchema("Post"), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const page = await posts.listPosts(pageWindow(request.query));
      return presentPage(page.items.map(toPostView), {
        path: "/api/posts",
        page: request.query.page,
        perPage: request.query.per_page,
        totalItems: page.total,
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/posts/:id",
    {
      onRequest: requireAuth({ scopes: ["posts:read"] }),
      schema: {
        tags: ["posts"],
        summary: "Get one post",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 200: { $ref: "Post#" }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const id = parseId(request.params.id);
      const post = id === null ? null : await posts.getPost(id);
      if (!post) return postNotFound(reply);
      return toPostView(post);
    },
  );

  app.patch<{ Params: { id: string }; Body: Partial<PostBody> }>(
    "/api/posts/:id",
    {
      onRequest: requireAuth({ scopes: ["posts:write"] }),
      schema: {
        tags: ["posts"],
        summary: "Change a post (author or admin)",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        body: { type: "object", properties: { title: titleField, body: bodyField }, additionalProperties: false },
        response: { 200: { $ref: "Post#" }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const id = parseId(request.params.id);
      const post = id === null ? null : await posts.getPost(id);
      if (!post) return postNotFound(reply);
      if (!(await mayActAs(context, auth, post.userId))) {
        return sendProblem(reply, "forbidden", { detail: "Only the author can change this post" });
      }
      const blank = blankFields(request.body);
      if (blank.length > 0) return sendValidationProblem(reply, blank);
      const { title, body } = request.body;
      const updated = await posts.updatePost(
        post.id,
        { ...(title === undefined ? {} : { title }), ...(body === undefined ? {} : { body }) },
        tessera.clock.now(),
      );
      if (!updated) return postNotFound(reply);
      return toPostView(updated);
    },
  );

  app.delete<{ Params: { id: string } }>(
    "/api/posts/:id",
    {
      onRequest: requireAuth({ scopes: ["posts:write"] }),
      schema: {
        tags: ["posts"],
        summary: "Delete a post (author or admin)",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        response: { 204: { type: "null" }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const id = parseId(request.params.id);
      const post = id === null ? null : await posts.getPost(id);
      if (!post) return postNotFound(reply);
      if (!(await mayActAs(context, auth, post.userId))) {
        return sendProblem(reply, "forbidden", { detail: "Only the author can delete this post" });
      }
      await posts.deletePost(post.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: PageQuery }>(
    "/api/users/:id/posts",
    {
      onRequest: requireAuth({ scopes: ["posts:read"] }),
      preHandler: clampPerPage,
      schema: {
        tags: ["posts"],
        summary: "List one user's posts, newest first, a page at a time",
        security: [{ bearer: [] }],
        params: idParamsSchema,
        querystring: paginationQuerySchema,
        response: { 200: pageSchema("Post"), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const id = parseId(request.params.id);
      const user = id === null ? null : await users.getUserById(id);
      if (!user) return sendProblem(reply, "not_found", { detail: "No such user" });
      const page = await posts.listPosts({ ...pageWindow(request.query), userId: user.id });
      return presentPage(page.items.map(toPostView), {
        path: `/api/users/${user.id}/posts`,
        page: request.query.page,
        perPage: request.query.per_page,
        totalItems: page.total,
      });
    },
  );
}

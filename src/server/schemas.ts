// JSON schemas shared by the routes: Fastify validates requests and serialises responses with
// them, and @fastify/swagger turns the same objects into /openapi.json.

export const problemSchema = {
  $id: "Problem",
  type: "object",
  description: "RFC 9457 problem details, with a stable machine-readable code",
  additionalProperties: true,
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    code: { type: "string" },
    detail: { type: "string" },
    errors: {
      type: "array",
      items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } }, required: ["field", "message"] },
    },
  },
  required: ["type", "title", "status", "code"],
} as const;

const timestamp = { type: "string", format: "date-time" } as const;
const nullableTimestamp = { type: ["string", "null"], format: "date-time" } as const;

export const userSchema = {
  $id: "User",
  type: "object",
  properties: {
    id: { type: "integer" },
    username: { type: "string" },
    email: { type: ["string", "null"], description: "Only shown to the user themself" },
    about_me: { type: ["string", "null"] },
    created_at: timestamp,
    last_seen: nullableTimestamp,
    post_count: { type: "integer" },
    _links: {
      type: "object",
      properties: { self: { type: "string" }, posts: { type: "string" } },
      required: ["self", "posts"],
    },
  },
  required: ["id", "username", "about_me", "created_at", "last_seen", "post_count", "_links"],
} as const;

export const postSchema = {
  $id: "Post",
  type: "object",
  properties: {
    id: { type: "integer" },
    title: { type: "string" },
    body: { type: "string" },
    created_at: timestamp,
    updated_at: timestamp,
    author: { type: "object", properties: { id: { type: "integer" }, username: { type: "string" } }, required: ["id", "username"] },
    _links: {
      type: "object",
      properties: { self: { type: "string" }, author: { type: "string" } },
      required: ["self", "author"],
    },
  },
  required: ["id", "title", "body", "created_at", "updated_at", "author", "_links"],
} as const;

export const tokenPairSchema = {
  $id: "TokenPair",
  type: "object",
  properties: {
    access_token: { type: "string" },
    token_type: { type: "string", enum: ["Bearer"] },
    expires_in: { type: "integer" },
    refresh_token: { type: "string" },
    scope: { type: "string" },
  },
  required: ["access_token", "token_type", "expires_in", "refresh_token", "scope"],
} as const;

/** A page of items with `_meta` and `_links`; `item` is a shared schema's `$id` or an inline schema. */
export function pageSchema<S extends object>(item: string | S) {
  return {
    type: "object",
    properties: {
      items: { type: "array", items: typeof item === "string" ? { $ref: `${item}#` } : item },
      _meta: {
        type: "object",
        properties: {
          page: { type: "integer" },
          per_page: { type: "integer" },
          total_pages: { type: "integer" },
          total_items: { type: "integer" },
        },
        required: ["page", "per_page", "total_pages", "total_items"],
      },
      _links: {
        type: "object",
        properties: { self: { type: "string" }, next: { type: ["string", "null"] }, prev: { type: ["string", "null"] } },
        required: ["self", "next", "prev"],
      },
    },
    required: ["items", "_meta", "_links"],
  } as const;
}

export const paginationQuerySchema = {
  type: "object",
  properties: {
    // Bounded so (page - 1) * per_page stays a safe integer the database accepts as an OFFSET.
    page: { type: "integer", minimum: 1, maximum: 1_000_000_000, default: 1 },
    per_page: { type: "integer", minimum: 1, default: 10, description: "Items per page; values above 100 are served as 100" },
  },
} as const;

/** Largest page size; a larger `per_page` is clamped to it (as the microblog API this follows did). */
export const MAX_PER_PAGE = 100;

/** Ids in paths: anything that is not a positive integer is a 404, not a 400 (contract). */
export const idParamsSchema = {
  type: "object",
  properties: { id: { type: "string" } },
  required: ["id"],
} as const;

/** Standard error responses of an authenticated route, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: "Problem#" }]));
}

export const sharedSchemas = [problemSchema, userSchema, postSchema, tokenPairSchema] as const;

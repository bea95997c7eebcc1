/** Every scope the reference server knows. A login gets all of them unless it asks for less. */
export const SERVER_SCOPES: readonly string[] = ["users:read", "users:write", "posts:read", "posts:write", "tokens:introspect"];

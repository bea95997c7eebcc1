// The reference server's own data (users and posts), beside Tessera's token store.
export { createServerStore, type ServerStore, type ServerStoreOptions } from "./create-server-store.js";
export type { UserStore } from "./user-store.js";
export type { UserRecord, NewUser, UserPatch } from "./user-record.js";
export type { PostStore, PostRecord, NewPost, PostPatch } from "./post-store.js";
export type { Page } from "./page.js";

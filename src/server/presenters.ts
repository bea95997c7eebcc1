import type { AuditEventRecord } from "../core/token-store.js";
import type { UserRecord } from "./store/index.js";

// The same few timestamps (a user's created_at, a token's expiry) are formatted on every
// request for them; toISOString was a visible share of GET /api/me in the profiles.
const ISO_CACHE_LIMIT = 4096;
const isoCache = new Map<number, string>();

/** RFC 3339 UTC (`2026-11-27T12:00:00.000Z`) for epoch milliseconds; null stays null. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  if (ms === null) return null;
  let text = isoCache.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoCache.size >= ISO_CACHE_LIMIT) isoCache.clear();
    isoCache.set(ms, text);
  }
  return text;
}

/** The public shape of a user; `email` only when the viewer is the user. */
export function presentUser(user: UserRecord, options: { postCount: number; viewerId: number | null }) {
  return {
    id: user.id,
    username: user.username,
    ...(options.viewerId === user.id ? { email: user.email } : {}),
    about_me: user.aboutMe,
    created_at: isoTime(user.createdAt),
    last_seen: isoTime(user.lastSeenAt),
    post_count: options.postCount,
    _links: { self: `/api/users/${user.id}`, posts: `/api/users/${user.id}/posts` },
  };
}

export interface PostView {
  id: number;
  title: string;
  body: string;
  createdAt: number;
  updatedAt: number;
  authorId: number;
  authorUsername: string;
}

export function presentPost(post: PostView) {
  return {
    id: post.id,
    title: post.title,
    body: post.body,
    created_at: isoTime(post.createdAt),
    updated_at: isoTime(post.updatedAt),
    author: { id: post.authorId, username: post.authorUsername },
    _links: { self: `/api/posts/${post.id}`, author: `/api/users/${post.authorId}` },
  };
}

/** A page body with `_meta` and `_links` (contract "Pages"). */
export function presentPage<T>(items: T[], options: { path: string; page: number; perPage: number; totalItems: number }) {
  const totalPages = Math.max(1, Math.ceil(options.totalItems / options.perPage));
  const link = (page: number) => `${options.path}?page=${page}&per_page=${options.perPage}`;
  return {
    items,
    _meta: { page: options.page, per_page: options.perPage, total_pages: totalPages, total_items: options.totalItems },
    _links: {
      self: link(options.page),
      next: options.page < totalPages ? link(options.page + 1) : null,
      prev: options.page > 1 ? link(Math.min(options.page - 1, totalPages)) : null,
    },
  };
}

/** Parses a path id; anything but a positive integer is treated as "no such resource". */
export function parseId(raw: string): number | null {
  if (!/^[1-9]\d{0,15}$/.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

/** The public shape of an audit event. User ids are the server's integers. */
export function presentAuditEvent(event: AuditEventRecord) {
  return {
    id: event.id,
    at: isoTime(event.at),
    type: event.type,
    actor: { type: event.actorType, id: event.actorId },
    user_id: event.userId === null || !/^\d+$/.test(event.userId) ? null : Number(event.userId),
    client_id: event.clientId,
    session_id: event.sessionId,
    subject: event.subject,
    reason: event.reason,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    via: event.via,
    count: event.count,
  };
}

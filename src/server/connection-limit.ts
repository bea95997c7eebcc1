import { BlockList, isIPv6, type Socket } from "node:net";
import type { Server } from "node:http";
import { PROBLEM_CONTENT_TYPE, problemFor } from "../http/problem.js";
import { clientIpKey } from "../http/rate-limit.js";

/** Options of {@link limitConnectionsPerIp}. */
export interface ConnectionLimitOptions {
  /** Open connections one client may hold; IPv6 clients are counted per /64. */
  maxPerIp: number;
  /** `TESSERA_TRUST_PROXY`'s entries: a trusted proxy carries many clients, so it is not capped. */
  trustedProxies: readonly string[] | null;
}

// Written straight to the socket: the request has not been read, and no route runs for it.
const refusal = problemFor("rate_limited", { detail: "Too many open connections from this address" });
const REFUSAL_BODY = JSON.stringify(refusal.body);
const REFUSAL =
  `HTTP/1.1 ${refusal.status} ${refusal.body.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nRetry-After: 1\r\nConnection: close\r\n` +
  `Content-Length: ${Buffer.byteLength(REFUSAL_BODY)}\r\n\r\n${REFUSAL_BODY}`;

function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === "loopback") {
      list.addSubnet("127.0.0.0", 8, "ipv4");
      list.addAddress("::1", "ipv6");
      continue;
    }
    const [address = "", prefix] = entry.split("/");
    const family = isIPv6(address) ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/**
 * Caps the connections each client IP holds open at once (Node and Fastify have no such
 * setting): past the cap a new connection gets a 429 problem and is closed before its request
 * is read, so one client cannot take every socket with idle or trickling connections. Counted
 * per process; the timeouts close what a client leaves idle.
 */
export function limitConnectionsPerIp(server: Server, options: ConnectionLimitOptions): void {
  const open = new Map<string, number>();
  const trusted = options.trustedProxies === null ? null : trustedProxyList(options.trustedProxies);
  server.on("connection", (socket: Socket) => {
    const ip = socket.remoteAddress;
    if (ip === undefined) return;
    const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip;
    if (trusted?.check(plain, isIPv6(plain) ? "ipv6" : "ipv4") === true) return;
    const key = clientIpKey(plain);
    const count = open.get(key) ?? 0;
    if (count >= options.maxPerIp) {
      socket.end(REFUSAL);
      socket.destroySoon();
      return;
    }
    open.set(key, count + 1);
    socket.once("close", () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}

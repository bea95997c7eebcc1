// Shared by bench/servers/*: the ready line the harness waits for, and the peer secret from the environment.
import type { AddressInfo } from "node:net";

/** Prints `{"ready":true,"port":N}` once the server listens; the harness parses exactly this line. */
export function announceReady(address: AddressInfo | string | null): void {
  if (address === null || typeof address === "string") throw new Error("server is not listening on TCP");
  process.stdout.write(JSON.stringify({ ready: true, port: address.port }) + "\n");
}

/** The HS256 secret the harness minted the bench token with. */
export function readPeerSecret(): string {
  const secret = process.env.BENCH_JWT_SECRET;
  if (secret === undefined || secret.length < 32) throw new Error("BENCH_JWT_SECRET is missing or too short");
  return secret;
}

/** Ends the process on SIGTERM after closing the server, so the harness's stop is quick and clean. */
export function exitOnSignal(close: () => unknown): void {
  const stop = (): void => {
    void Promise.resolve(close()).finally(() => process.exit(0));
    // Keep-alive connections from the load generator can hold close() open; do not wait for them.
    setTimeout(() => process.exit(0), 500).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** The route every protected bench server (peers and Tessera guards alike) answers. */
export const USER_ROUTE = "/api/users/:id";

/**
 * The body of `GET /api/users/:id` on every protected bench server: the same small JSON, built
 * from the path and the verified subject, so peers and Tessera guards send identical bytes.
 *
 * @example
 * describeUser("7", "1"); // { id: 7, username: "user7", sub: "1" }
 */
export function describeUser(id: string, sub: unknown): { id: number; username: string; sub: string } {
  return { id: Number(id), username: `user${id}`, sub: typeof sub === "string" ? sub : "" };
}

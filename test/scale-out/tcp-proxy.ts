// A loopback TCP proxy a test controls, to give one instance a database outage without
// touching the PostgreSQL that other tests share.
import { connect, createServer, type Server, type Socket } from "node:net";

export type ProxyMode = "open" | "refusing" | "silent";

/** A proxy from a loopback port to `target`. */
export interface TcpProxy {
  port: number;
  mode(): ProxyMode;
  /** Connections are refused and open ones reset: the database is gone. */
  refuse(): Promise<void>;
  /**
   * Connections are accepted and open ones kept, but no byte passes either way: the database
   * (or the network to it) hangs.
   */
  silence(): void;
  /** Back to forwarding (open connections that were silenced are dropped). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
}

/**
 * Starts a proxy on a free loopback port that forwards to `targetHost:targetPort`.
 *
 * @example
 * const proxy = await startTcpProxy("127.0.0.1", 5432);
 * // point the instance at postgres://postgres@127.0.0.1:${proxy.port}/test
 * await proxy.refuse();
 */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let current: ProxyMode = "open";
  const pairs = new Set<Pair>();
  let server: Server | null = null;
  let port = 0;

  const destroyAll = (): void => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    pairs.clear();
  };

  const onConnection = (client: Socket): void => {
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.on("error", () => undefined);
    client.on("close", () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (current === "silent") return; // accepted, never answered
    const upstream = connect(targetPort, targetHost);
    pair.upstream = upstream;
    upstream.on("error", () => client.destroy());
    upstream.on("close", () => client.destroy());
    upstream.on("data", (chunk: Buffer) => {
      if (current === "open") client.write(chunk);
    });
    client.on("data", (chunk: Buffer) => {
      if (current === "open") upstream.write(chunk);
    });
  };

  const listen = (wanted: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const created = createServer(onConnection);
      created.once("error", reject);
      created.listen(wanted, "127.0.0.1", () => {
        const address = created.address();
        port = typeof address === "object" && address ? address.port : wanted;
        server = created;
        resolve();
      });
    });

  const stopListening = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const running = server;
      server = null;
      if (running === null) {
        resolve();
        return;
      }
      running.close(() => resolve());
    });

  await listen(0);
  return {
    get port() {
      return port;
    },
    mode: () => current,
    refuse: async () => {
      current = "refusing";
      const closing = stopListening();
      destroyAll();
      await closing;
    },
    silence: () => {
      current = "silent";
    },
    restore: async () => {
      if (current === "silent") destroyAll();
      current = "open";
      if (server === null) await listen(port);
    },
    close: async () => {
      current = "refusing";
      const closing = stopListening();
      destroyAll();
      await closing;
    },
  };
}

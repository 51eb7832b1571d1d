import net from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP forwarder in front of a server (here: Postgres), to make it unreachable, refuse
 * connections or drop every open connection at a moment a test chooses, without touching the
 * server that other tests share.
 */
export interface TcpProxy {
  port: number;
  /** Connections currently open through the proxy. */
  open(): number;
  /** Destroys every open connection on both sides, as a server crash would. */
  cut(): void;
  /** Stops listening: new connections are refused until `accept()`. Open ones are cut. */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `target`; with `listening: false` it refuses connections until `accept()`. */
export async function startTcpProxy(
  target: { host: string; port: number },
  options: { listening?: boolean } = {},
): Promise<TcpProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const cut = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      cut();
      server.close(() => resolve());
    });
  await listen();
  if (options.listening === false) await stop();

  return {
    get port() {
      return port;
    },
    open: () => pairs.size,
    cut,
    refuse: stop,
    async accept() {
      // The port was ours a moment ago; a retry covers it still closing.
      for (let attempt = 0; ; attempt++) {
        try {
          return await listen();
        } catch (error) {
          if (attempt >= 50 || (error as { code?: string }).code !== "EADDRINUSE") throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}

import http from "node:http";
import { isIPv6, type AddressInfo } from "node:net";
import type { Api } from "./api";
import { createClientGate } from "./requests";

export interface ApiServer {
  port: number;
  /** The address it listens on, as the socket reports it. */
  address: string;
  /** Where a client on this machine reaches the endpoint. */
  url: string;
  /** Requests running and waiting, per client (see createClientGate). */
  load(): Map<string, { running: number; queued: number; awaitingTurn: number; usedMs: number }>;
  close(): Promise<void>;
}

/**
 * A URL that reaches a server listening on `address` from this machine: a server on every
 * interface (0.0.0.0, ::) is reached through the loopback address.
 */
export function localUrl(address: string, port: number, pathname = ""): string {
  const host = address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address;
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}${pathname}`;
}

/**
 * Serves the API over HTTP: POST/GET /graphql, SSE subscriptions, GraphiQL in a browser. Listens
 * on `host`, by default 127.0.0.1 only: another address (0.0.0.0 for every interface) is a
 * decision to publish the API. Each client (its address, or with `trustProxy` the first address
 * of X-Forwarded-For) has `limits.maxConcurrentPerClient` requests answered at a time, at most
 * `limits.maxRunning` requests are processed at once, turn by turn fairly between clients, and
 * a client over `limits.clientBudgetMsPerSecond` is refused (see createClientGate).
 */
export async function serveApi(
  api: Api,
  params: { port?: number; host?: string; trustProxy?: boolean } = {},
): Promise<ApiServer> {
  const gate = createClientGate({
    maxConcurrent: api.limits.maxConcurrentPerClient,
    maxQueued: api.limits.maxQueuedPerClient,
    maxRunning: api.limits.maxRunning,
    budgetMsPerSecond: api.limits.clientBudgetMsPerSecond,
    trustProxy: params.trustProxy ?? false,
    onRefused: (reason) => api.metrics.countRefusal(reason),
  });
  // The yoga instance is a Node request listener.
  const server = http.createServer((request, response) =>
    gate.admit(request, response, () => void api.yoga(request, response)),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(params.port ?? 4000, params.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    port,
    address,
    url: localUrl(address, port, api.yoga.graphqlEndpoint),
    load: () => gate.load(),
    /** Stops listening and drops open connections (SSE streams included); the Api stays open. */
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface MetricsServer {
  port: number;
  /** The address it listens on, as the socket reports it. */
  address: string;
  close(): Promise<void>;
}

/** What the metrics port serves: Prometheus text, rendered for each scrape. */
export interface MetricsSource {
  render(): Promise<string>;
  contentType: string;
}

/**
 * Serves GET /metrics (Prometheus text from `source`) on the API's operations port, apart from
 * the public one: an operator scrapes it from inside, nobody else reads the process' counters.
 * Listens on `host`, by default 127.0.0.1 only, like the indexer's status server.
 */
export async function serveMetrics(
  source: MetricsSource,
  params: { port: number; host?: string },
): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const reply = (code: number, body: string, type = "application/json") => {
      response.writeHead(code, { "content-type": type });
      response.end(body);
    };
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET")
      return reply(405, JSON.stringify({ error: "method not allowed" }));
    if (path !== "/metrics") return reply(404, JSON.stringify({ error: "not found" }));
    source.render().then(
      (text) => reply(200, text, source.contentType),
      (error: Error) => reply(500, JSON.stringify({ error: error.message })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(params.port, params.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    port,
    address,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

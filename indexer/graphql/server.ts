import http from "node:http";
import { isIPv6, type AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { Api } from "./api";
import {
  createClientGate,
  mediaType,
  POST_TYPES,
  readNodeBody,
  setBodyRead,
  takeTurn,
} from "./requests";

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
    gate.admit(request, response, () => void handle(api, request, response)),
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

/**
 * Reads a POST's body (up to just past `maxBytes`), then, once the request has its turn, sends
 * the remembered reply when the same body was refused before for its shape (RefusalCache.replay):
 * a flood of one bomb costs the server a hash and a write per request, not yoga's pipeline.
 * Anything else goes to yoga, with the body read so far (request.body, which yoga reads instead
 * of the stream): the request guards refuse a body past the limit with 413 as before. Requests
 * with an Origin (browsers), subscriptions (text/event-stream) and those yoga's guards refuse
 * unread (media type, Content-Length) go to yoga at once.
 */
async function handle(
  api: Api,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const at = performance.now();
  const maxBytes = api.limits.maxBodyBytes;
  const type = mediaType(request.headers["content-type"]);
  if (
    request.method !== "POST" ||
    request.headers.origin !== undefined ||
    (request.headers.accept ?? "").includes("text/event-stream") ||
    !POST_TYPES.includes(type) ||
    Number(request.headers["content-length"] ?? 0) > maxBytes
  ) {
    void api.yoga(request, response);
    return;
  }
  const body = await readNodeBody(request, maxBytes);
  if (body === null) return;
  if (body.length <= maxBytes) {
    if (!(await takeTurn(request))) return;
    const reply = api.refusals.replay(type, request.headers.accept ?? "", body);
    if (reply) {
      response.writeHead(reply.status, reply.headers);
      response.end(reply.body);
      api.metrics.countReplay(reply.codes, (performance.now() - at) / 1000);
      return;
    }
  }
  if (body.length > maxBytes) {
    // The rest of the body is read and dropped while the 413 is sent; the connection then closes.
    response.shouldKeepAlive = false;
    request.resume();
  }
  // The request guards' parser takes the body read here; yoga's Node adapter reads a request's
  // `body`, when set, instead of its stream (consumed), should anything else read it.
  setBodyRead(request, body);
  (request as { body?: unknown }).body = Readable.from([body]);
  void api.yoga(request, response);
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

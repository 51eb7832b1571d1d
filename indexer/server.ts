import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./metrics";

export interface StatusServer {
  port: number;
  /** The address it listens on, as the socket reports it. */
  address: string;
  close(): Promise<void>;
}

export interface StatusSource {
  readiness(): Promise<{ ready: boolean }>;
  /** Makes a URI due for the content resolver again; returns the rows made due. */
  refreshContent?(uri: string): Promise<{ kind: string; status: string }[]>;
}

/** A refresh request carries one URI: at most 64 KiB of display text, as stored. */
const MAX_REFRESH_BODY = 70 * 1024;

/**
 * /health: liveness, 200 while the process runs and its event loop answers (a failing
 * dependency is /ready's business: restarting the indexer would not cure it). /ready: 200 when
 * `readiness()` says so, else 503, with the reasons as JSON. /metrics: Prometheus text
 * (prom-client). POST /content/refresh with `{"uri": "..."}`: fetch that URI again
 * (docs/metadata.md). Listens on `host`, by default 127.0.0.1 only.
 */
export async function startStatusServer(
  port: number,
  metrics: Metrics,
  status: StatusSource,
  host = "127.0.0.1",
): Promise<StatusServer> {
  const server = http.createServer((request, response) => {
    const reply = (code: number, body: string, type = "application/json") => {
      response.writeHead(code, { "content-type": type });
      response.end(body);
    };
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "POST" && path === "/content/refresh" && status.refreshContent) {
      const refresh = status.refreshContent;
      const chunks: Buffer[] = [];
      let size = 0;
      request.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REFRESH_BODY) {
          reply(
            413,
            JSON.stringify({ error: `the body is larger than ${MAX_REFRESH_BODY} bytes` }),
          );
          request.destroy();
        } else chunks.push(chunk);
      });
      request.on("end", () => {
        let uri: unknown;
        try {
          uri = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { uri?: unknown }).uri;
        } catch {
          uri = undefined;
        }
        if (typeof uri !== "string" || uri === "") {
          return reply(400, JSON.stringify({ error: 'send a JSON body {"uri": "<the URI>"}' }));
        }
        refresh(uri).then(
          (rows) =>
            reply(
              rows.length > 0 ? 202 : 404,
              JSON.stringify(
                rows.length > 0
                  ? { refreshing: rows }
                  : {
                      error:
                        "no indexed profile or post names this URI, or it was fetched too recently (CONTENT_REFRESH_MIN_INTERVAL_MS)",
                    },
              ),
            ),
          (error: Error) => reply(503, JSON.stringify({ error: error.message })),
        );
      });
      return;
    }
    if (request.method !== "GET")
      return reply(405, JSON.stringify({ error: "method not allowed" }));
    if (path === "/health") return reply(200, JSON.stringify({ status: "ok" }));
    if (path === "/ready") {
      status.readiness().then(
        (readiness) => reply(readiness.ready ? 200 : 503, JSON.stringify(readiness)),
        (error: Error) => reply(503, JSON.stringify({ ready: false, error: error.message })),
      );
      return;
    }
    if (path === "/metrics") {
      metrics.render().then(
        (text) => reply(200, text, metrics.contentType),
        (error: Error) => reply(500, JSON.stringify({ error: error.message })),
      );
      return;
    }
    reply(404, JSON.stringify({ error: "not found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    address: address.address,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

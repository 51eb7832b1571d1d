import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "./metrics";

export interface StatusServer {
  port: number;
  close(): Promise<void>;
}

export interface StatusSource {
  ready(): boolean;
  healthy(): Promise<boolean>;
}

/**
 * /health: the process runs and reaches its database. /ready: the sync has caught up with the
 * head once. /metrics: Prometheus text exposition.
 */
export async function startStatusServer(
  port: number,
  metrics: Metrics,
  status: StatusSource,
): Promise<StatusServer> {
  const server = http.createServer((request, response) => {
    const reply = (code: number, body: string, type = "application/json") => {
      response.writeHead(code, { "content-type": type });
      response.end(body);
    };
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET")
      return reply(405, JSON.stringify({ error: "method not allowed" }));
    if (path === "/health") {
      status.healthy().then(
        (ok) =>
          reply(ok ? 200 : 503, JSON.stringify({ status: ok ? "ok" : "database unreachable" })),
        () => reply(503, JSON.stringify({ status: "database unreachable" })),
      );
      return;
    }
    if (path === "/ready") {
      const ready = status.ready();
      return reply(ready ? 200 : 503, JSON.stringify({ ready }));
    }
    if (path === "/metrics") return reply(200, metrics.render(), "text/plain; version=0.0.4");
    reply(404, JSON.stringify({ error: "not found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

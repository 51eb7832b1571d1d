import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Api } from "./api";

export interface ApiServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves the API over HTTP: POST/GET /graphql, SSE subscriptions, GraphiQL in a browser. */
export async function serveApi(
  api: Api,
  params: { port?: number; host?: string } = {},
): Promise<ApiServer> {
  // The yoga instance is a Node request listener.
  const server = http.createServer(api.yoga);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(params.port ?? 4000, params.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}${api.yoga.graphqlEndpoint}`,
    /** Stops listening and drops open connections (SSE streams included); the Api stays open. */
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

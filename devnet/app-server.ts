import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { injectConfig, type AppConfig } from "../scripts/build-app";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

export interface AppServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the built app (`dir`) with `config` written into index.html, as `npm run build:app`
 * writes it into a static build. Hashed assets are cached for good and
 * sent gzipped; index.html is never cached.
 */
export async function serveApp(params: {
  dir: string;
  config: AppConfig;
  port?: number;
  host?: string;
}): Promise<AppServer> {
  const root = path.resolve(params.dir);
  // Read on each request: a rebuild while serving replaces index.html and its hashed assets.
  const index = () =>
    injectConfig(fs.readFileSync(path.join(root, "index.html"), "utf8"), params.config);
  index();
  // Each file compressed once and kept, as a static host serves them.
  const gzipped = new Map<string, Buffer>();
  const compressed = (file: string) => {
    let body = gzipped.get(file);
    if (!body) {
      body = zlib.gzipSync(fs.readFileSync(file), { level: 9 });
      gzipped.set(file, body);
    }
    return body;
  };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const file = path.resolve(root, `.${decodeURIComponent(url.pathname)}`);
    const inside = file.startsWith(root + path.sep);
    if (
      !inside ||
      url.pathname === "/" ||
      url.pathname === "/index.html" ||
      !fs.existsSync(file) ||
      !fs.statSync(file).isFile()
    ) {
      if (inside && path.extname(file) && url.pathname !== "/index.html") {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      response
        .writeHead(200, { "content-type": TYPES[".html"], "cache-control": "no-cache" })
        .end(index());
      return;
    }
    const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""));
    const body = gzip ? compressed(file) : fs.readFileSync(file);
    response.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "cache-control": url.pathname.startsWith("/assets/")
        ? "public, max-age=31536000, immutable"
        : "no-cache",
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    });
    response.end(request.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(params.port ?? 3000, params.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

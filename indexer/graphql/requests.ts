import type http from "node:http";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ErrorCode } from "./errors";

/**
 * Media types a POST may carry. A browser sends form-encoded, multipart and text/plain bodies
 * across origins without asking first (a "simple request"); JSON and GraphQL bodies need a CORS
 * preflight, so refusing the others leaves another site no way to make a visitor's browser
 * post a query.
 */
const POST_TYPES = ["application/json", "application/graphql+json", "application/graphql"];

function httpError(status: number, code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

function errorResponse(
  fetchAPI: { Response: typeof Response },
  status: number,
  code: ErrorCode,
  message: string,
): Response {
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** The body's text, refused as soon as it passes `maxBytes`, whatever Content-Length said. */
async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw httpError(
        413,
        ErrorCode.BodyTooLarge,
        `the request body is larger than ${maxBytes} bytes; send a smaller query`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Checks every POST before yoga reads it: a media type of POST_TYPES (anything else is 415
 * `UNSUPPORTED_MEDIA_TYPE`), and a body of at most `maxBodyBytes` (413 `BODY_TOO_LARGE`, at
 * once when Content-Length says so, else as soon as the streamed body passes it). Parses the
 * body itself, so no body is ever held whole beyond the limit. GET needs no check: it can only
 * read, and Node limits its URL (16 KiB of headers).
 */
export function useRequestGuards(limits: { maxBodyBytes: number }): Plugin {
  return {
    onRequestParse({ request, setRequestParser, endResponse, fetchAPI }) {
      if (request.method !== "POST") return;
      const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
      if (!POST_TYPES.includes(type)) {
        endResponse(
          errorResponse(
            fetchAPI,
            415,
            ErrorCode.UnsupportedMediaType,
            `a POST body must be sent as application/json (or application/graphql), not ${JSON.stringify(type || "without a Content-Type")}`,
          ),
        );
        return;
      }
      const declared = Number(request.headers.get("content-length") ?? 0);
      if (declared > limits.maxBodyBytes) {
        endResponse(
          errorResponse(
            fetchAPI,
            413,
            ErrorCode.BodyTooLarge,
            `the request body is ${declared} bytes; at most ${limits.maxBodyBytes} are accepted`,
          ),
        );
        return;
      }
      setRequestParser(async (req) => {
        const text = await readLimited(req, limits.maxBodyBytes);
        if (type === "application/graphql") return { query: text };
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw httpError(
            400,
            ErrorCode.BadRequest,
            `the request body is not valid JSON: ${(error as Error).message}`,
          );
        }
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          throw httpError(
            400,
            ErrorCode.BadRequest,
            "the request body must be a JSON object { query, variables, operationName }",
          );
        }
        return body;
      });
    },
  };
}

export interface ClientGateOptions {
  /** Requests of one client answered at the same time. */
  maxConcurrent: number;
  /** Requests of one client waiting for a turn; beyond them, 429 `TOO_MANY_REQUESTS`. */
  maxQueued: number;
  /**
   * Whether the client is the first address of `X-Forwarded-For` (behind a reverse proxy that
   * sets it) rather than the connection's address. Only true behind such a proxy: otherwise any
   * client could name itself anew with each request.
   */
  trustProxy: boolean;
}

/** Who a request counts against: its connection's address, or what the trusted proxy says. */
export function clientKey(request: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return request.socket.remoteAddress ?? "unknown";
}

export interface ClientGate {
  /** Runs `handle` when the client has a free turn; it counts until the response closes. */
  admit(request: http.IncomingMessage, response: http.ServerResponse, handle: () => void): void;
  /** Requests running and waiting, per client. */
  load(): Map<string, { running: number; queued: number }>;
}

/**
 * Keeps one client from taking every connection of the database pool: each client (clientKey)
 * has `maxConcurrent` requests answered at a time, a few more wait their turn, and the rest are
 * refused at once with 429. Live subscriptions (SSE) hold a connection for hours and no database
 * connection in between, so they are not counted.
 */
export function createClientGate(options: ClientGateOptions): ClientGate {
  const clients = new Map<string, { running: number; queue: (() => void)[] }>();
  return {
    admit(request, response, handle) {
      if ((request.headers.accept ?? "").includes("text/event-stream")) {
        handle();
        return;
      }
      const key = clientKey(request, options.trustProxy);
      let client = clients.get(key);
      if (!client) {
        client = { running: 0, queue: [] };
        clients.set(key, client);
      }
      const state = client;
      const start = () => {
        state.running++;
        response.once("close", () => {
          state.running--;
          const next = state.queue.shift();
          if (next) next();
          else if (state.running === 0) clients.delete(key);
        });
        handle();
      };
      if (state.running < options.maxConcurrent) {
        start();
        return;
      }
      if (state.queue.length >= options.maxQueued) {
        response.writeHead(429, { "content-type": "application/json; charset=utf-8" });
        response.end(
          JSON.stringify({
            errors: [
              {
                message: `this client already has ${state.running} requests running and ${state.queue.length} waiting; wait for their answers`,
                extensions: { code: ErrorCode.TooManyRequests },
              },
            ],
          }),
        );
        return;
      }
      const waiting = () => {
        response.off("close", gone);
        start();
      };
      const gone = () => {
        const index = state.queue.indexOf(waiting);
        if (index >= 0) state.queue.splice(index, 1);
      };
      response.once("close", gone);
      state.queue.push(waiting);
    },
    load() {
      return new Map(
        [...clients].map(([key, state]) => [
          key,
          { running: state.running, queued: state.queue.length },
        ]),
      );
    },
  };
}

/** API_CORS_ORIGINS: `*` (any page) or a comma-separated list of origins. */
export function corsOrigins(value: string | undefined): string[] {
  const origins = (value ?? "*")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === "*") continue;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new Error(
        `API_CORS_ORIGINS lists "${origin}", which is not an origin such as https://app.example.org`,
      );
    }
    if (parsed.origin !== origin) {
      throw new Error(
        `API_CORS_ORIGINS lists "${origin}"; an origin is scheme, host and port only: "${parsed.origin}"`,
      );
    }
  }
  return origins.length > 0 ? origins : ["*"];
}

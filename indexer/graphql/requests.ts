import http from "node:http";
import { GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ErrorCode } from "./errors";
import type { RefusalCache } from "./refusals";

/**
 * Media types a POST may carry. A browser sends form-encoded, multipart and text/plain bodies
 * across origins without asking first (a "simple request"); JSON and GraphQL bodies need a CORS
 * preflight, so refusing the others leaves another site no way to make a visitor's browser
 * post a query.
 */
export const POST_TYPES = ["application/json", "application/graphql+json", "application/graphql"];

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

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

function bodyTooLarge(maxBytes: number): GraphQLError {
  return httpError(
    413,
    ErrorCode.BodyTooLarge,
    `the request body is larger than ${maxBytes} bytes; send a smaller query`,
  );
}

/**
 * Bodies the server read before handing the request to yoga (serveApi), by Node request, up to
 * just past the limit; the server has also waited for the request's turn when the body was
 * within the limit. The request parser takes them as they are.
 */
const bodiesRead = new WeakMap<http.IncomingMessage, Buffer>();

/** Hands the request parser the body the server already read (see bodiesRead). */
export function setBodyRead(request: http.IncomingMessage, body: Buffer): void {
  bodiesRead.set(request, body);
}

/**
 * A Node request's body, read until it ends or passes `maxBytes` (then what was read, longer
 * than `maxBytes`, with the request paused: the caller drops the rest with `request.resume()`);
 * null if the client went away first. Used by the server before yoga and by the request parser.
 */
export function readNodeBody(
  request: http.IncomingMessage,
  maxBytes: number,
): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Buffer | null) => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onGone);
      request.off("close", onGone);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        done(Buffer.concat(chunks, size));
      }
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    const onGone = () => done(request.complete ? Buffer.concat(chunks, size) : null);
    request.on("data", onData);
    request.once("end", onEnd);
    request.once("error", onGone);
    request.once("close", onGone);
  });
}

/**
 * readLimited over the Node request itself, when the API is served over HTTP: its chunks as
 * they come, without the web stream yoga's Request wraps around it. Past `maxBytes` the rest of
 * the body is read and dropped, as Node does with a body nobody reads, while the 413 is sent.
 */
async function readNodeLimited(request: http.IncomingMessage, maxBytes: number): Promise<string> {
  const body = await readNodeBody(request, maxBytes);
  // The client went away: its fault, not the API's, so not logged as a failure.
  if (body === null) {
    throw httpError(
      400,
      ErrorCode.BadRequest,
      "the client closed the request before its body ended",
    );
  }
  if (body.length > maxBytes) {
    request.resume();
    throw bodyTooLarge(maxBytes);
  }
  return body.toString("utf8");
}

/**
 * Checks every POST before yoga reads it: a media type of POST_TYPES (anything else is 415
 * `UNSUPPORTED_MEDIA_TYPE`), and a body of at most `maxBodyBytes` (413 `BODY_TOO_LARGE`, at
 * once when Content-Length says so, else as soon as the streamed body passes it). Parses the
 * body itself, so no body is ever held whole beyond the limit. GET needs no check: it can only
 * read, and Node limits its URL (16 KiB of headers). Once the body has arrived, the request
 * waits for its turn (takeTurn, when a client gate admitted it); then a request refused before
 * for its shape (`refusals`) is refused again from memory, before any parsing.
 */
export function useRequestGuards(
  limits: { maxBodyBytes: number },
  refusals?: RefusalCache,
): Plugin {
  return {
    onRequestParse({
      request,
      requestParser,
      setRequestParser,
      endResponse,
      fetchAPI,
      serverContext,
    }) {
      if (request.method === "GET") {
        // The gate gave a GET its turn before yoga saw it.
        if (!refusals || !requestParser) return;
        const parseGet = requestParser;
        setRequestParser((req) => {
          const refused = refusals.lookup(request, "GET", req.url);
          if (refused) throw refused;
          return parseGet(req);
        });
        return;
      }
      if (request.method !== "POST") return;
      const type = mediaType(request.headers.get("content-type"));
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
      const nodeRequest = (serverContext as { req?: unknown } | undefined)?.req;
      setRequestParser(async (req) => {
        const read =
          nodeRequest instanceof http.IncomingMessage ? bodiesRead.get(nodeRequest) : undefined;
        let text: string;
        if (read !== undefined) {
          // Read by the server, which also waited for the turn when it was within the limit.
          if (read.length > limits.maxBodyBytes) throw bodyTooLarge(limits.maxBodyBytes);
          text = read.toString("utf8");
        } else {
          text =
            nodeRequest instanceof http.IncomingMessage
              ? await readNodeLimited(nodeRequest, limits.maxBodyBytes)
              : await readLimited(req, limits.maxBodyBytes);
          if (!(await takeTurn(nodeRequest))) {
            throw httpError(400, ErrorCode.BadRequest, "the client closed the request");
          }
        }
        const refused = refusals?.lookup(request, type, text);
        if (refused) throw refused;
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
   * Requests being processed at once in this process, all clients together (0: no limit). A
   * request takes its turn once its body has arrived and holds it until its response closes; a
   * freed turn goes to the waiting client that used the least processing time recently.
   */
  maxRunning: number;
  /**
   * Processing time (ms of turns held) one client may use per second, averaged over the last
   * `budgetWindowMs`; a client above it is refused at admission with 429 and `Retry-After`.
   * 0: no budget. Clients on this machine itself are exempt unless `trustProxy` (budgeted).
   */
  budgetMsPerSecond: number;
  /** The time constant of a client's recent use, in ms (10 s). */
  budgetWindowMs?: number;
  /**
   * Whether the client is the first address of `X-Forwarded-For` (behind a reverse proxy that
   * sets it) rather than the connection's address. Only true behind such a proxy: otherwise any
   * client could name itself anew with each request.
   */
  trustProxy: boolean;
  /** Called for each request refused with 429: over its budget, or its queue full. */
  onRefused?: (reason: "budget" | "queue") => void;
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
  /**
   * Per client: requests admitted (running), waiting to be admitted (queued), admitted and
   * waiting for a turn (awaitingTurn), and the processing time used recently (ms, decayed over
   * the budget's window).
   */
  load(): Map<string, { running: number; queued: number; awaitingTurn: number; usedMs: number }>;
}

/**
 * Turns a gate begins in one turn of the event loop (its poll phase, then its check phase): the
 * work a loop turn does for admitted requests stays short, so the sockets of other clients are
 * read again soon.
 */
const TURNS_PER_LOOP = 1;

/** What a POST admitted by a gate calls, once its body has arrived, to wait for its turn. */
const turns = new WeakMap<http.IncomingMessage, () => Promise<boolean>>();

/**
 * Waits until the request (the Node request yoga was handed, `serverContext.req`) may be
 * processed: at once unless a client gate admitted it (createClientGate). False if the client
 * went away while it waited.
 */
export function takeTurn(request: unknown): Promise<boolean> {
  const take =
    typeof request === "object" && request !== null
      ? turns.get(request as http.IncomingMessage)
      : undefined;
  return take ? take() : Promise.resolve(true);
}

interface ClientState {
  /** Requests admitted (counted against maxConcurrent) until their responses close. */
  running: number;
  /** Requests waiting to be admitted: each is admitted, or refused once over the budget. */
  queue: { admit(): void; refuse(now: number): void }[];
  /** Admitted requests waiting for a turn, in arrival order. */
  turns: (() => void)[];
  /** Turn time used, in ms, decayed by e^(-t / window) since `usedAt`. */
  used: number;
  usedAt: number;
  /** Whether the budget applies: to every client but this machine's own (see budgeted). */
  budgeted: boolean;
}

/**
 * Whether the processing-time budget applies to a request's client: always behind a trusted
 * proxy (the client is who the proxy names), otherwise unless the connection comes from this
 * machine (127.0.0.0/8, ::1). A co-located server speaks for many people from one address, and
 * the operator's own tools are not the outsiders the budget holds back; they still take fair
 * turns and the per-client limits on requests.
 */
export function budgeted(request: http.IncomingMessage, trustProxy: boolean): boolean {
  if (trustProxy) return true;
  const address = request.socket.remoteAddress ?? "";
  return !(/^(::ffff:)?127\./.test(address) || address === "::1");
}

function refuse(response: http.ServerResponse, message: string, retryAfterSeconds: number): void {
  response.writeHead(429, {
    "content-type": "application/json; charset=utf-8",
    "retry-after": String(retryAfterSeconds),
  });
  response.end(
    JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.TooManyRequests } }] }),
  );
}

/**
 * Keeps one client from taking the API from the others. Each client (clientKey) has
 * `maxConcurrent` requests admitted at a time, a few more wait to be admitted, and the rest are
 * refused at once with 429. An admitted request is processed in a turn: it takes one once its
 * body has arrived (a GET at once), and holds it until its response closes; at most
 * `maxRunning` turns are held at a time, and a freed turn goes to the waiting client that used
 * the least turn time recently, so a client that has used nothing is served next, ahead of the
 * queue of one that floods. Each turn's time is charged to its client, shared with the turns
 * held at the same time (two turns held together for 10 ms cost 5 ms each), and decays with the
 * budget's window; a client whose recent use is above `budgetMsPerSecond` × the window is
 * refused with 429 and `Retry-After` (when the decay brings it back under) before its body is
 * read. Live subscriptions (SSE) hold a connection for hours and no database connection in
 * between, so they are not counted.
 */
export function createClientGate(options: ClientGateOptions): ClientGate {
  const windowMs = options.budgetWindowMs ?? 10_000;
  const budget = (options.budgetMsPerSecond * windowMs) / 1000;
  const clients = new Map<string, ClientState>();
  /** Clients with requests waiting for a turn. */
  const waiting = new Set<ClientState>();
  let holding = 0;
  // Each held turn is charged the wall time divided by the turns held meanwhile: `shared` is
  // that sum since the gate started, and a turn costs its growth while held.
  let shared = 0;
  let sharedAt = performance.now();
  let admissions = 0;

  const advance = (now: number) => {
    if (holding > 0) shared += (now - sharedAt) / holding;
    sharedAt = now;
  };
  const usedBy = (client: ClientState, now: number) => {
    if (now > client.usedAt) {
      client.used *= Math.exp(-(now - client.usedAt) / windowMs);
      client.usedAt = now;
    }
    return client.used;
  };
  const idle = (client: ClientState, now: number) =>
    client.running === 0 && client.queue.length === 0 && usedBy(client, now) < 1;
  const overBudget = (client: ClientState, now: number) =>
    client.budgeted && options.budgetMsPerSecond > 0 && usedBy(client, now) > budget;
  const refuseOverBudget = (client: ClientState, response: http.ServerResponse, now: number) => {
    usedBy(client, now);
    const seconds = Math.max(1, Math.ceil((windowMs / 1000) * Math.log(client.used / budget)));
    options.onRefused?.("budget");
    refuse(
      response,
      `this client used ${Math.round(client.used)} ms of processing time recently, above its budget of ${options.budgetMsPerSecond} ms a second over ${windowMs / 1000} s; retry after ${seconds} s`,
      seconds,
    );
  };

  // Turns begun since the event loop last reached its check phase. A response's close frees a
  // turn within the same turn of the loop, and an admitted request's body is often there
  // already, so without this bound one turn of the loop could process every ready request
  // while the sockets of the others (a new client's included) wait to be read.
  let begunThisLoop = 0;
  let nextLoopScheduled = false;
  const nextLoop = () => {
    begunThisLoop = 0;
    nextLoopScheduled = false;
    grant();
  };
  /** Hands free turns to the waiting clients, least recent use first. */
  const grant = () => {
    while (
      waiting.size > 0 &&
      (options.maxRunning === 0 || (holding < options.maxRunning && begunThisLoop < TURNS_PER_LOOP))
    ) {
      if (!nextLoopScheduled) {
        nextLoopScheduled = true;
        setImmediate(nextLoop);
      }
      begunThisLoop++;
      const now = performance.now();
      let next: ClientState | undefined;
      for (const client of waiting) {
        if (!next || usedBy(client, now) < usedBy(next, now)) next = client;
      }
      const start = next!.turns.shift()!;
      if (next!.turns.length === 0) waiting.delete(next!);
      start();
    }
  };

  const sweep = (now: number) => {
    for (const [key, client] of clients) if (idle(client, now)) clients.delete(key);
  };

  return {
    admit(request, response, handle) {
      if ((request.headers.accept ?? "").includes("text/event-stream")) {
        handle();
        return;
      }
      const now = performance.now();
      if (++admissions % 1024 === 0) sweep(now);
      const key = clientKey(request, options.trustProxy);
      let client = clients.get(key);
      if (!client) {
        client = {
          running: 0,
          queue: [],
          turns: [],
          used: 0,
          usedAt: now,
          budgeted: budgeted(request, options.trustProxy),
        };
        clients.set(key, client);
      }
      const state = client;
      if (overBudget(state, now)) {
        refuseOverBudget(state, response, now);
        return;
      }

      // The request's turn: asked for once, held until the response closes.
      let turn: Promise<boolean> | null = null;
      let settle: ((granted: boolean) => void) | null = null;
      let heldFrom: number | null = null;
      const takeTurnNow = () => {
        turn ??= new Promise<boolean>((resolve) => {
          settle = resolve;
          state.turns.push(begin);
          waiting.add(state);
          grant();
        });
        return turn;
      };
      const begin = () => {
        advance(performance.now());
        holding++;
        heldFrom = shared;
        settle?.(true);
      };

      const start = () => {
        state.running++;
        response.once("close", () => {
          const closedAt = performance.now();
          if (heldFrom !== null) {
            advance(closedAt);
            holding--;
            usedBy(state, closedAt);
            state.used += shared - heldFrom;
          } else if (turn) {
            // Gone while waiting for its turn.
            const index = state.turns.indexOf(begin);
            if (index >= 0) state.turns.splice(index, 1);
            if (state.turns.length === 0) waiting.delete(state);
            settle?.(false);
          }
          state.running--;
          for (;;) {
            const next = state.queue.shift();
            if (!next) break;
            if (!overBudget(state, closedAt)) {
              next.admit();
              break;
            }
            next.refuse(closedAt);
          }
          if (idle(state, closedAt)) clients.delete(key);
          grant();
        });
        if (request.method === "POST") {
          turns.set(request, takeTurnNow);
          handle();
        } else if (request.method === "GET" || request.method === "HEAD") {
          void takeTurnNow().then((granted) => {
            if (granted) handle();
          });
        } else {
          handle();
        }
      };
      if (state.running < options.maxConcurrent) {
        start();
        return;
      }
      if (state.queue.length >= options.maxQueued) {
        options.onRefused?.("queue");
        refuse(
          response,
          `this client already has ${state.running} requests running and ${state.queue.length} waiting; wait for their answers`,
          1,
        );
        return;
      }
      const waitingAdmission = {
        admit() {
          response.off("close", gone);
          start();
        },
        refuse(at: number) {
          response.off("close", gone);
          refuseOverBudget(state, response, at);
        },
      };
      const gone = () => {
        const index = state.queue.indexOf(waitingAdmission);
        if (index >= 0) state.queue.splice(index, 1);
      };
      response.once("close", gone);
      state.queue.push(waitingAdmission);
    },
    load() {
      const now = performance.now();
      return new Map(
        [...clients].map(([key, state]) => [
          key,
          {
            running: state.running,
            queued: state.queue.length,
            awaitingTurn: state.turns.length,
            usedMs: Math.round(usedBy(state, now) * 10) / 10,
          },
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

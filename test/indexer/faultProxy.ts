import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { keccak256, type Hex } from "viem";
import { createRandom } from "./helpers";

/**
 * A fault the proxy injects. Transport faults (http, garbage, truncated, huge, hang, reset) hit
 * whole HTTP requests; the others rewrite the upstream's replies the way faulty providers do.
 */
export type Fault =
  /** An HTTP error status, optionally with a Retry-After header. */
  | { kind: "http"; status: number; retryAfter?: string }
  /** 200 with a body that is not JSON. */
  | { kind: "garbage" }
  /** The upstream's reply cut short. */
  | { kind: "truncated" }
  /** A body of `bytes` bytes (above the indexer's RPC_MAX_RESPONSE_BYTES). */
  | { kind: "huge"; bytes: number }
  /** The connection is accepted and the request read, then nothing is ever sent. */
  | { kind: "hang" }
  /** The connection is reset. */
  | { kind: "reset" }
  /** Every call of the request answered with this JSON-RPC error. */
  | { kind: "rpc-error"; code: number; message: string }
  /** `"result": null` for the calls of these methods. */
  | { kind: "null-result"; methods: string[] }
  /** Batch replies: the last one left out, one repeated, or all in reverse order. */
  | { kind: "batch"; change: "missing" | "duplicate" | "reversed" }
  /**
   * eth_getLogs is answered by a node that has not processed the newest `blocks` blocks: their
   * logs are left out of range queries, and a query by their hash fails as an unknown block.
   * Every other method is answered by an up-to-date node.
   */
  | { kind: "lagging"; blocks: number }
  /** A range reply leaves out every log of one of its blocks; queries by hash are honest. */
  | { kind: "drop-block-logs" }
  /** Block headers' logsBloom get the bits of `items` (addresses, topics) set. */
  | { kind: "bloom"; items: string[] };

export interface FaultProxy {
  url: string;
  /**
   * Injects `fault` into a share `rate` (0..1] of the requests that hold a call of one of
   * `methods` (all requests when omitted); null stops injecting.
   */
  set(fault: Fault | null, options?: { rate?: number; methods?: string[] }): void;
  /** How many requests each kind of fault has hit. */
  injected: Record<string, number>;
  /** Requests forwarded or faulted, and when each arrived (ms since the epoch). */
  requests: { method: string; at: number }[];
  /** Stops listening (connections are refused) until `accept()`. */
  refuse(): Promise<void>;
  accept(): Promise<void>;
  close(): Promise<void>;
}

interface Call {
  jsonrpc: string;
  id: unknown;
  method: string;
  params?: unknown[];
}

interface Reply {
  jsonrpc: string;
  id: unknown;
  result?: unknown;
  error?: unknown;
}

/** The bits `item` sets in a 256-byte logsBloom (as the Yellow Paper, 4.4.1, defines them). */
export function addToBloom(bloom: Uint8Array, item: string): void {
  const hash = keccak256(item.toLowerCase() as Hex);
  for (let i = 0; i < 3; i++) {
    const bit = Number.parseInt(hash.slice(2 + i * 4, 6 + i * 4), 16) & 2047;
    bloom[255 - (bit >> 3)] |= 1 << (bit & 7);
  }
}

/** A JSON-RPC proxy in front of `upstream` (an honest node) that injects faults on demand. */
export async function startFaultProxy(upstream: string, seed = 1): Promise<FaultProxy> {
  const random = createRandom(seed);
  let fault: Fault | null = null;
  let rate = 1;
  let methods: string[] | undefined;
  const injected: Record<string, number> = {};
  const requests: { method: string; at: number }[] = [];
  const sockets = new Set<Socket>();
  let port = 0;

  const forward = async (body: unknown): Promise<unknown> => {
    const response = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return response.json();
  };
  const upstreamCall = async (method: string, params: unknown[]) =>
    ((await forward({ jsonrpc: "2.0", id: 1, method, params })) as Reply).result;

  const count = (kind: string) => (injected[kind] = (injected[kind] ?? 0) + 1);

  /** The lagging node's view: the number of the newest block it has processed. */
  const laggingHead = async (blocks: number) =>
    Number(await upstreamCall("eth_blockNumber", [])) - blocks;

  async function rewrite(calls: Call[], replies: Reply[], active: Fault): Promise<boolean> {
    let changed = false;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const reply = replies[i];
      if (reply.error !== undefined) continue;
      if (active.kind === "null-result" && active.methods.includes(call.method)) {
        reply.result = null;
        changed = true;
      }
      if (active.kind === "lagging" && call.method === "eth_getLogs") {
        const filter = (call.params ?? [])[0] as { blockHash?: string };
        const processed = await laggingHead(active.blocks);
        if (filter.blockHash) {
          const block = (await upstreamCall("eth_getBlockByHash", [filter.blockHash, false])) as {
            number: string;
          } | null;
          if (block && Number(block.number) > processed) {
            delete reply.result;
            reply.error = { code: -32000, message: "unknown block" };
            changed = true;
          }
        } else {
          const logs = reply.result as { blockNumber: string }[];
          const kept = logs.filter((log) => Number(log.blockNumber) <= processed);
          if (kept.length < logs.length) changed = true;
          reply.result = kept;
        }
      }
      if (active.kind === "drop-block-logs" && call.method === "eth_getLogs") {
        const filter = (call.params ?? [])[0] as { blockHash?: string };
        const logs = reply.result as { blockNumber: string }[];
        if (!filter.blockHash && logs.length > 0) {
          const dropped = logs[random.int(logs.length)].blockNumber;
          reply.result = logs.filter((log) => log.blockNumber !== dropped);
          changed = true;
        }
      }
      if (
        active.kind === "bloom" &&
        (call.method === "eth_getBlockByNumber" || call.method === "eth_getBlockByHash") &&
        reply.result
      ) {
        const block = reply.result as { logsBloom: string };
        const bloom = Uint8Array.from(Buffer.from(block.logsBloom.slice(2), "hex"));
        for (const item of active.items) addToBloom(bloom, item);
        const logsBloom = "0x" + Buffer.from(bloom).toString("hex");
        if (logsBloom !== block.logsBloom) changed = true;
        block.logsBloom = logsBloom;
      }
    }
    return changed;
  }

  const server = http.createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", () => {
      void handle(raw, request, response).catch((error) => {
        response.writeHead(500);
        response.end(String(error));
      });
    });
  });

  async function handle(raw: string, request: http.IncomingMessage, response: http.ServerResponse) {
    const body = JSON.parse(raw) as Call | Call[];
    const calls = Array.isArray(body) ? body : [body];
    const at = Date.now();
    for (const call of calls) requests.push({ method: call.method, at });
    const active = fault;
    const applies =
      active !== null &&
      (methods === undefined || calls.some((call) => methods!.includes(call.method))) &&
      random.int(1_000_000) < rate * 1_000_000;
    const send = (status: number, text: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(text);
    };
    if (applies) {
      switch (active.kind) {
        case "http":
          count("http");
          return send(
            active.status,
            "upstream unavailable",
            active.retryAfter ? { "retry-after": active.retryAfter } : {},
          );
        case "garbage":
          count("garbage");
          return send(200, "<html><body>502 Bad Gateway</body></html>\u0000\uffff");
        case "huge":
          count("huge");
          return send(200, " ".repeat(active.bytes) + JSON.stringify({ jsonrpc: "2.0" }));
        case "hang":
          count("hang");
          return;
        case "reset":
          count("reset");
          request.socket.destroy();
          return;
        case "rpc-error": {
          count("rpc-error");
          const replies = calls.map((call) => ({
            jsonrpc: "2.0",
            id: call.id,
            error: { code: active.code, message: active.message },
          }));
          return send(200, JSON.stringify(Array.isArray(body) ? replies : replies[0]));
        }
      }
    }
    const upstreamReply = await forward(body);
    const replies = (Array.isArray(upstreamReply) ? upstreamReply : [upstreamReply]) as Reply[];
    if (applies && active.kind === "truncated") {
      count("truncated");
      const text = JSON.stringify(upstreamReply);
      return send(200, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
    }
    if (applies && active.kind === "batch" && Array.isArray(body)) {
      count("batch");
      if (active.change === "missing") replies.pop();
      if (active.change === "duplicate") replies.push(replies[0]);
      if (active.change === "reversed") replies.reverse();
      return send(200, JSON.stringify(replies));
    }
    if (applies && (await rewrite(calls, replies, active))) count(active.kind);
    send(200, JSON.stringify(Array.isArray(body) ? replies : replies[0]));
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  await listen();

  return {
    url: `http://127.0.0.1:${port}`,
    set(next, options = {}) {
      fault = next;
      rate = options.rate ?? 1;
      methods = options.methods;
    },
    injected,
    requests,
    refuse: stopListening,
    async accept() {
      // The port was ours a moment ago; another process taking it meanwhile is unlikely, and
      // a retry covers the socket still closing.
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
      if (server.listening) await stopListening();
    },
  };
}

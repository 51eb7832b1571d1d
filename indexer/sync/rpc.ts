import type { Logger } from "pino";
import type { Metrics } from "../metrics";

/** A log exactly as eth_getLogs returns it (hex strings). */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  removed?: boolean;
}

export interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
}

/** The provider refused a log query as too large (too many results or too wide a range). */
export class RangeTooLargeError extends Error {
  /** The block range of the refused `eth_getLogs`, when the sync knows it. */
  range?: { fromBlock: bigint; toBlock: bigint };

  constructor(message: string) {
    super(message);
    this.name = "RangeTooLargeError";
  }
}

/** The provider answered with a JSON-RPC error. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly method: string,
  ) {
    super(`${method}: ${message} (code ${code})`);
    this.name = "RpcError";
  }
}

/** The sync was asked to stop while waiting on the provider. */
export class AbortedError extends Error {
  constructor() {
    super("aborted");
    this.name = "AbortedError";
  }
}

// Messages public providers use to refuse a log query that is too wide (Alchemy, Infura,
// QuickNode, Ankr, geth's own limits, Erigon, Cloudflare, BlastAPI).
const RANGE_ERROR_PATTERNS = [
  /more than \d+ results/i,
  /too many (results|logs|blocks)/i,
  /query returned more than/i,
  /block range/i,
  /range (is )?too (large|wide|big)/i,
  /exceed(s|ed)? .*(range|limit|size)/i,
  /limit exceeded/i,
  /response (size|too large)/i,
  /max(imum)? (block )?range/i,
  /log response size/i,
];

export function isRangeError(code: number, message: string): boolean {
  return code === -32005 || RANGE_ERROR_PATTERNS.some((pattern) => pattern.test(message));
}

export interface RpcRequest {
  method: string;
  params: unknown[];
}

export interface Rpc {
  request<T>(method: string, params: unknown[]): Promise<T>;
  /** One HTTP request carrying several calls; replies come back in the order asked. */
  batch<T>(requests: RpcRequest[]): Promise<T[]>;
}

export interface CreateRpcParams {
  url: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
  metrics: Metrics;
  signal: AbortSignal;
}

interface JsonRpcReply {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * JSON-RPC over fetch. Replies are parsed as plain JSON, never through a client library, so
 * logs stay raw strings for the lowercase decoder. Network failures, HTTP 429/5xx and
 * provider-internal errors are retried with exponential backoff; range refusals are thrown at
 * once as RangeTooLargeError for the caller to shrink its query.
 */
export function createRpc(params: CreateRpcParams): Rpc {
  const { url, timeoutMs, maxRetries, logger, metrics, signal } = params;
  let nextId = 1;

  async function send(body: unknown, label: string): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new AbortedError();
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        if (response.status === 429 || response.status >= 500) {
          throw new RetryableError(`HTTP ${response.status} ${response.statusText}`);
        }
        if (!response.ok) {
          throw new RpcError(
            response.status,
            `HTTP ${response.status} ${await response.text()}`,
            label,
          );
        }
        return await response.json();
      } catch (error) {
        if (signal.aborted) throw new AbortedError();
        if (error instanceof RpcError) throw error;
        metrics.rpcErrors.inc();
        if (attempt >= maxRetries) throw error;
        const delayMs = Math.min(30_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
        logger.warn(
          { err: error, method: label, attempt, retry_in_ms: Math.round(delayMs) },
          "rpc request failed",
        );
        await sleep(delayMs, signal);
      }
    }
  }

  function unwrap<T>(reply: JsonRpcReply, method: string): T {
    if (reply.error) {
      const { code, message } = reply.error;
      if (isRangeError(code, message)) throw new RangeTooLargeError(`${method}: ${message}`);
      throw new RpcError(code, message, method);
    }
    return reply.result as T;
  }

  async function withProviderRetries<T>(label: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        // A provider-side error that is not about the query's size may be transient (a node
        // behind a load balancer that has not seen the block yet): retry a few times.
        if (!(error instanceof RpcError) || attempt >= maxRetries) throw error;
        metrics.rpcErrors.inc();
        const delayMs = Math.min(30_000, 100 * 2 ** attempt);
        logger.warn(
          { err: error, method: label, attempt, retry_in_ms: delayMs },
          "rpc error reply",
        );
        await sleep(delayMs, signal);
      }
    }
  }

  return {
    request<T>(method: string, callParams: unknown[]): Promise<T> {
      return withProviderRetries(method, async () => {
        const reply = (await send(
          { jsonrpc: "2.0", id: nextId++, method, params: callParams },
          method,
        )) as JsonRpcReply;
        return unwrap<T>(reply, method);
      });
    },
    batch<T>(requests: RpcRequest[]): Promise<T[]> {
      if (requests.length === 0) return Promise.resolve([]);
      const label = `batch(${requests[0].method} x${requests.length})`;
      return withProviderRetries(label, async () => {
        const firstId = nextId;
        nextId += requests.length;
        const body = requests.map((r, i) => ({
          jsonrpc: "2.0",
          id: firstId + i,
          method: r.method,
          params: r.params,
        }));
        const replies = (await send(body, label)) as JsonRpcReply[] | JsonRpcReply;
        if (!Array.isArray(replies)) return [unwrap<T>(replies, label)];
        const byId = new Map(replies.map((reply) => [reply.id, reply]));
        return requests.map((r, i) => {
          const reply = byId.get(firstId + i);
          if (!reply) throw new RpcError(-32603, "missing reply in batch", r.method);
          return unwrap<T>(reply, r.method);
        });
      });
    },
  };
}

class RetryableError extends Error {}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

import type { Logger } from "pino";
import type { Metrics } from "../metrics";
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from "./backoff";
import type { Health } from "./health";

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
  logsBloom: string;
}

/**
 * Every way a provider can fail a request. All of them are retryable: a provider that answered
 * before may answer again, and the indexer cannot tell an outage from a permanent fault.
 */
export type RpcFault =
  /** Connection refused, reset or closed before the reply was complete; DNS failures. */
  | "network"
  /** No complete reply within RPC_TIMEOUT_MS (a hung node: connected, never answering). */
  | "timeout"
  /** An HTTP status other than 2xx (429 and 5xx above all; a Retry-After is honoured). */
  | "http-status"
  /** A body that is not JSON, is truncated, or is not a JSON-RPC reply to the request sent. */
  | "bad-body"
  /** A body larger than RPC_MAX_RESPONSE_BYTES. */
  | "too-large"
  /** A JSON-RPC error reply ("header not found", internal errors, rate limits). */
  | "rpc-error"
  /** `"result": null` from a method that always has a value (eth_blockNumber, eth_getLogs). */
  | "null-result"
  /** A result of the wrong shape (a log without a block hash, a block number that is not hex). */
  | "bad-result"
  /** A batch reply with missing, duplicated or unknown ids. */
  | "batch-mismatch"
  /**
   * Replies that contradict each other: a block at or below the head the provider reported is
   * missing, a log lies outside the range asked for, or blocks' logsBloom show logs that
   * eth_getLogs left out (a node behind a load balancer that has not processed them yet).
   */
  | "inconsistent";

/** The provider failed a request in a way that is worth retrying (every way but a range refusal). */
export class RpcFaultError extends Error {
  constructor(
    readonly fault: RpcFault,
    readonly method: string,
    detail: string,
    /** The wait the server asked for (HTTP Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(`${method}: ${detail}`);
    this.name = "RpcFaultError";
  }
}

/** The provider answered with a JSON-RPC error. */
export class RpcError extends RpcFaultError {
  constructor(
    readonly code: number,
    message: string,
    method: string,
  ) {
    super("rpc-error", method, `${message} (code ${code})`);
    this.name = "RpcError";
  }
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

// Rate limits share code -32005 and words like "limit exceeded" with range refusals; shrinking
// the range would not help them, waiting does.
const RATE_LIMIT_PATTERNS = [
  /rate.?limit/i,
  /too many requests/i,
  /request rate/i,
  /(daily|monthly) (request|limit)/i,
  /(capacity|quota|credits|compute units)/i,
];

export function isRangeError(code: number, message: string): boolean {
  if (RATE_LIMIT_PATTERNS.some((pattern) => pattern.test(message))) return false;
  return code === -32005 || RANGE_ERROR_PATTERNS.some((pattern) => pattern.test(message));
}

export interface RpcRequest {
  method: string;
  params: unknown[];
}

export interface RpcCallOptions {
  /** Abandons this call (for example a range fetched ahead that is no longer wanted). */
  signal?: AbortSignal;
}

export interface Rpc {
  request<T>(method: string, params: unknown[], options?: RpcCallOptions): Promise<T>;
  /** One HTTP request carrying several calls; replies come back in the order asked. */
  batch<T>(requests: RpcRequest[], options?: RpcCallOptions): Promise<T[]>;
}

export interface CreateRpcParams {
  url: string;
  timeoutMs: number;
  /** Retries of one request before its fault is thrown to the caller (which retries the step). */
  maxRetries: number;
  maxResponseBytes: number;
  backoff: BackoffPolicy;
  logger: Logger;
  metrics: Metrics;
  health?: Health;
  signal: AbortSignal;
}

interface JsonRpcReply {
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

const QUANTITY = /^0x[0-9a-fA-F]{1,64}$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX_DATA = /^0x([0-9a-fA-F]{2})*$/;
const BLOOM = /^0x[0-9a-fA-F]{512}$/;

/** What is wrong with a log object, or null. */
function logProblem(log: unknown): string | null {
  if (typeof log !== "object" || log === null) return "a log is not an object";
  const l = log as Record<string, unknown>;
  if (typeof l.address !== "string" || !ADDRESS.test(l.address)) return "a log has no address";
  if (!Array.isArray(l.topics) || l.topics.length > 4) return "a log has no topics array";
  for (const topic of l.topics) {
    if (typeof topic !== "string" || !HASH.test(topic)) return "a log topic is not 32 bytes";
  }
  if (typeof l.data !== "string" || !HEX_DATA.test(l.data)) return "a log's data is not hex";
  if (typeof l.blockNumber !== "string" || !QUANTITY.test(l.blockNumber)) {
    return "a log has no block number (pending?)";
  }
  if (typeof l.blockHash !== "string" || !HASH.test(l.blockHash)) return "a log has no block hash";
  if (typeof l.transactionHash !== "string" || !HASH.test(l.transactionHash)) {
    return "a log has no transaction hash";
  }
  if (typeof l.logIndex !== "string" || !QUANTITY.test(l.logIndex)) return "a log has no index";
  return null;
}

/** What is wrong with a block header, or null. */
function blockProblem(block: unknown): string | null {
  if (typeof block !== "object") return "the block is not an object";
  const b = block as Record<string, unknown>;
  if (typeof b.number !== "string" || !QUANTITY.test(b.number)) return "the block has no number";
  if (typeof b.hash !== "string" || !HASH.test(b.hash)) return "the block has no hash";
  if (typeof b.parentHash !== "string" || !HASH.test(b.parentHash)) {
    return "the block has no parent hash";
  }
  if (typeof b.timestamp !== "string" || !QUANTITY.test(b.timestamp)) {
    return "the block has no timestamp";
  }
  if (typeof b.logsBloom !== "string" || !BLOOM.test(b.logsBloom)) {
    return "the block has no logsBloom";
  }
  return null;
}

/**
 * Checks a result's shape for the methods the sync uses; throws the fault. A null block is a
 * valid answer (the provider does not have it); a null anywhere else is not.
 */
function checkResult(method: string, result: unknown): void {
  const fail = (fault: RpcFault, detail: string) => {
    throw new RpcFaultError(fault, method, detail);
  };
  switch (method) {
    case "eth_chainId":
    case "eth_blockNumber":
      if (result === null || result === undefined) fail("null-result", "null result");
      if (typeof result !== "string" || !QUANTITY.test(result)) {
        fail("bad-result", "result is not a hex quantity");
      }
      return;
    case "eth_getLogs":
      if (result === null || result === undefined) fail("null-result", "null result");
      if (!Array.isArray(result)) return fail("bad-result", "result is not an array of logs");
      for (const log of result) {
        const problem = logProblem(log);
        if (problem) fail("bad-result", problem);
      }
      return;
    case "eth_getBlockByNumber":
    case "eth_getBlockByHash": {
      if (result === null) return;
      if (result === undefined) fail("null-result", "no result");
      const problem = blockProblem(result);
      if (problem) fail("bad-result", problem);
      return;
    }
  }
}

/** A short, printable sample of a body that could not be used. */
function sample(text: string): string {
  return JSON.stringify(text.length > 80 ? text.slice(0, 80) + "..." : text);
}

/**
 * JSON-RPC over fetch. Replies are parsed as plain JSON, never through a client library, so
 * logs stay raw strings for the lowercase decoder, and each reply's shape is checked before
 * the sync sees it. Every fault (RpcFault) is retried up to `maxRetries` times with capped
 * exponential backoff and full jitter, honouring Retry-After, then thrown as RpcFaultError for
 * the sync loop to retry the step. A range refusal is thrown at once as RangeTooLargeError for
 * the caller to shrink its query. Each attempt's outcome goes to `health` ("rpc").
 */
export function createRpc(params: CreateRpcParams): Rpc {
  const { url, timeoutMs, maxRetries, maxResponseBytes, backoff, logger, metrics, health } = params;
  let nextId = 1;

  /** Reads the body, refusing one larger than maxResponseBytes without holding it all. */
  async function readBody(response: Response, method: string): Promise<string> {
    const tooLarge = () =>
      new RpcFaultError(
        "too-large",
        method,
        `reply larger than RPC_MAX_RESPONSE_BYTES (${maxResponseBytes})`,
      );
    if (Number(response.headers.get("content-length")) > maxResponseBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    if (!response.body) return "";
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxResponseBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  /** One HTTP POST; its text, or the fault. */
  async function post(body: unknown, method: string, signal: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, timeout]),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        const hint = [401, 403, 404].includes(response.status) ? "; check RPC_URL" : "";
        throw new RpcFaultError(
          "http-status",
          method,
          `HTTP ${response.status} ${response.statusText}${hint}`,
          parseRetryAfter(response.headers.get("retry-after")),
        );
      }
      return await readBody(response, method);
    } catch (error) {
      if (signal.aborted) throw new AbortedError();
      if (error instanceof RpcFaultError) throw error;
      if (timeout.aborted) {
        throw new RpcFaultError("timeout", method, `no reply within RPC_TIMEOUT_MS (${timeoutMs})`);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RpcFaultError(
        "network",
        method,
        cause?.code ?? cause?.message ?? (error as Error).message,
      );
    }
  }

  function parse(text: string, method: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new RpcFaultError(
        "bad-body",
        method,
        `reply is not JSON (${text.length} bytes: ${sample(text)})`,
      );
    }
  }

  function isReply(value: unknown): value is JsonRpcReply {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }

  /** The result of one reply, or its error thrown as the right class. */
  function unwrap(reply: JsonRpcReply, method: string): unknown {
    if (reply.error !== undefined && reply.error !== null) {
      const { code, message } = reply.error as { code?: unknown; message?: unknown };
      const text = typeof message === "string" ? message : JSON.stringify(reply.error);
      const number = typeof code === "number" ? code : -32603;
      if (method === "eth_getLogs" && isRangeError(number, text)) {
        throw new RangeTooLargeError(`${method}: ${text}`);
      }
      throw new RpcError(number, text, method);
    }
    if (!("result" in reply)) {
      throw new RpcFaultError("bad-body", method, "reply has neither result nor error");
    }
    checkResult(method, reply.result);
    return reply.result;
  }

  /** Sends `body` until it succeeds, retrying faults up to maxRetries times. */
  async function call<T>(
    label: string,
    body: unknown,
    handle: (parsed: unknown) => T,
    options: RpcCallOptions & { metricLabel?: string },
  ): Promise<T> {
    const signal = options.signal
      ? AbortSignal.any([params.signal, options.signal])
      : params.signal;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw new AbortedError();
      const started = performance.now();
      try {
        const result = handle(parse(await post(body, label, signal), label));
        metrics.observeRpc(
          options.metricLabel ?? label,
          (performance.now() - started) / 1000,
          "ok",
        );
        health?.report("rpc", null);
        return result;
      } catch (error) {
        if (signal.aborted) throw new AbortedError();
        metrics.observeRpc(
          options.metricLabel ?? label,
          (performance.now() - started) / 1000,
          error instanceof RpcFaultError ? "fault" : "error",
        );
        if (error instanceof RangeTooLargeError) {
          health?.report("rpc", null);
          throw error;
        }
        if (!(error instanceof RpcFaultError)) throw error;
        // A log reply too large to hold is a range to shrink, like a provider's refusal.
        if (error.fault === "too-large" && label === "eth_getLogs") {
          health?.report("rpc", null);
          throw new RangeTooLargeError(error.message);
        }
        metrics.rpcErrors.inc();
        health?.report("rpc", error);
        if (attempt >= maxRetries) throw error;
        const delayMs = backoffDelay(backoff, attempt, error.retryAfterMs);
        logger.warn(
          { err: error, fault: error.fault, method: label, attempt, retry_in_ms: delayMs },
          "rpc request failed",
        );
        await sleep(delayMs, signal);
      }
    }
  }

  return {
    request<T>(method: string, callParams: unknown[], options: RpcCallOptions = {}): Promise<T> {
      const id = nextId++;
      return call(
        method,
        { jsonrpc: "2.0", id, method, params: callParams },
        (parsed) => {
          if (!isReply(parsed)) {
            throw new RpcFaultError("bad-body", method, "reply is not a JSON-RPC object");
          }
          if (parsed.id !== id && parsed.error === undefined) {
            throw new RpcFaultError(
              "bad-body",
              method,
              `reply has id ${sample(String(parsed.id))}, not ${id}`,
            );
          }
          return unwrap(parsed, method) as T;
        },
        options,
      );
    },
    batch<T>(requests: RpcRequest[], options: RpcCallOptions = {}): Promise<T[]> {
      if (requests.length === 0) return Promise.resolve([]);
      const label = `batch(${requests[0].method} x${requests.length})`;
      const firstId = nextId;
      nextId += requests.length;
      const body = requests.map((r, i) => ({
        jsonrpc: "2.0",
        id: firstId + i,
        method: r.method,
        params: r.params,
      }));
      return call(
        label,
        body,
        (parsed) => {
          // Some providers answer a whole batch with one error object (a rate limit).
          if (isReply(parsed)) {
            if (parsed.error) unwrap(parsed, label);
            throw new RpcFaultError("batch-mismatch", label, "one reply to a batch");
          }
          if (!Array.isArray(parsed)) {
            throw new RpcFaultError("bad-body", label, "reply to a batch is not an array");
          }
          const byId = new Map<unknown, JsonRpcReply>();
          for (const reply of parsed) {
            if (!isReply(reply)) {
              throw new RpcFaultError("bad-body", label, "a batch reply is not a JSON-RPC object");
            }
            const index = typeof reply.id === "number" ? reply.id - firstId : -1;
            if (!(index >= 0 && index < requests.length) || byId.has(reply.id)) {
              throw new RpcFaultError(
                "batch-mismatch",
                label,
                `unexpected or repeated id ${sample(String(reply.id))}`,
              );
            }
            byId.set(reply.id, reply);
          }
          if (byId.size !== requests.length) {
            throw new RpcFaultError(
              "batch-mismatch",
              label,
              `${requests.length - byId.size} of ${requests.length} replies missing`,
            );
          }
          return requests.map((r, i) => unwrap(byId.get(firstId + i)!, r.method) as T);
        },
        { ...options, metricLabel: `batch:${requests[0].method}` },
      );
    },
  };
}

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

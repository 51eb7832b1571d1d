import type { Plugin } from "graphql-yoga";
import type pg from "pg";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { withProcessMetrics } from "../metrics";
import type { ResponseCache } from "./cache";
import type { LiveHub } from "./live";
import type { RefusalCache } from "./refusals";

/** Distinct operation names (or error codes) a label takes at most; later ones count as "other". */
export const MAX_LABEL_VALUES = 200;

/** The operation label of requests refused from memory (the refusal cache). */
export const REFUSED = "refused";

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** The name of the first operation of a document, when it comes first (no leading fragment). */
const LEADING_OPERATION =
  /^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/;

export interface ApiMetrics {
  /** This API's metrics and the process' default ones: serve them with serveMetrics. */
  registry: Registry;
  /** Times every request and counts its errors. */
  plugin: Plugin;
  /** Counts a request refused with 429 by the client gate: over its budget, or its queue full. */
  countRefusal(reason: "budget" | "queue"): void;
  /**
   * Times a request answered by the server with a remembered refusal (RefusalCache.replay),
   * which yoga never saw, under the operation "refused", and counts its errors' codes.
   */
  countReplay(codes: readonly string[], seconds: number): void;
}

export interface ApiMetricsParams {
  pool: pg.Pool;
  cache: ResponseCache;
  refusals: RefusalCache;
  live: LiveHub;
  feeds: readonly string[];
}

/**
 * Label values chosen by clients (operation names) would let anyone grow the registry without
 * bound: a value is kept only if it looks like a GraphQL name and is one of the first
 * MAX_LABEL_VALUES seen.
 */
function boundedLabel(): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (!NAME.test(value)) return "other";
    if (seen.has(value)) return value;
    if (seen.size >= MAX_LABEL_VALUES) return "other";
    seen.add(value);
    return value;
  };
}

/**
 * Prometheus metrics of the API (prom-client): request latency by operation name, errors by
 * code, response cache hits and misses, the read pool's saturation, live subscribers per feed,
 * and the process' default metrics.
 */
export function createApiMetrics(params: ApiMetricsParams): ApiMetrics {
  const own = new Registry();
  const duration = new Histogram({
    name: "api_request_duration_seconds",
    help: "Duration of a GraphQL request, from arrival to the response's head, by operation name (anonymous, other; refused: refused from memory, see api_refusal_cache_hits_total).",
    labelNames: ["operation"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [own],
  });
  const errors = new Counter({
    name: "api_errors_total",
    help: "GraphQL errors returned, by extensions.code (INTERNAL for masked ones).",
    labelNames: ["code"],
    registers: [own],
  });
  const cache = params.cache;
  new Counter({
    name: "api_cache_hits_total",
    help: "Requests answered from the response cache.",
    registers: [own],
    collect() {
      this.reset();
      this.inc(cache.stats().hits);
    },
  });
  new Counter({
    name: "api_cache_misses_total",
    help: "Cacheable requests executed because no answer at the current version was cached.",
    registers: [own],
    collect() {
      this.reset();
      this.inc(cache.stats().misses);
    },
  });
  new Gauge({
    name: "api_cache_entries",
    help: "Answers held by the response cache.",
    registers: [own],
    collect() {
      this.set(cache.stats().entries);
    },
  });
  const refusals = params.refusals;
  new Counter({
    name: "api_refusal_cache_hits_total",
    help: "Requests refused from memory: the same text was refused before for its shape (too costly, too deep...).",
    registers: [own],
    collect() {
      this.reset();
      this.inc(refusals.stats().hits);
    },
  });
  new Gauge({
    name: "api_refusal_cache_entries",
    help: "Refusals remembered by a hash of the request's text.",
    registers: [own],
    collect() {
      this.set(refusals.stats().entries);
    },
  });
  const clientRefusals = new Counter({
    name: "api_client_refusals_total",
    help: "Requests refused with 429 TOO_MANY_REQUESTS before their body was read, by reason: budget (the client used more than its processing time budget recently), queue (it had too many requests running and waiting).",
    labelNames: ["reason"],
    registers: [own],
  });
  const pool = params.pool;
  new Gauge({
    name: "api_db_pool_connections",
    help: "Connections of the read pool, by state (idle, busy), and its maximum (max).",
    labelNames: ["state"],
    registers: [own],
    collect() {
      this.set({ state: "idle" }, pool.idleCount);
      this.set({ state: "busy" }, pool.totalCount - pool.idleCount);
      this.set({ state: "max" }, pool.options.max ?? 10);
    },
  });
  new Gauge({
    name: "api_db_pool_waiting",
    help: "Queries waiting for a connection of the read pool (saturation: above 0 for long).",
    registers: [own],
    collect() {
      this.set(pool.waitingCount);
    },
  });
  const live = params.live;
  const feeds = params.feeds;
  new Gauge({
    name: "api_sse_subscribers",
    help: "Live subscriptions (server-sent events) open now, by feed.",
    labelNames: ["feed"],
    registers: [own],
    collect() {
      for (const feed of feeds) this.set({ feed }, live.subscribers(feed));
    },
  });
  const registry = withProcessMetrics(own);
  const operationLabel = boundedLabel();
  const codeLabel = boundedLabel();
  const started = new WeakMap<Request, { at: number; operation: string }>();

  const plugin: Plugin = {
    onRequest({ request }) {
      started.set(request, { at: performance.now(), operation: "anonymous" });
    },
    onParams({ request, params: graphqlParams }) {
      const entry = started.get(request);
      if (!entry) return;
      const named =
        graphqlParams.operationName ??
        (typeof graphqlParams.query === "string"
          ? LEADING_OPERATION.exec(graphqlParams.query)?.[1]
          : undefined);
      if (typeof named === "string") entry.operation = operationLabel(named);
    },
    onResultProcess({ result }) {
      const results = Array.isArray(result) ? result : [result];
      for (const one of results) {
        if (typeof one !== "object" || one === null || Symbol.asyncIterator in one) continue;
        for (const error of one.errors ?? []) {
          const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
          errors.inc({ code: typeof code === "string" ? codeLabel(code) : "INTERNAL" });
        }
      }
    },
    onResponse({ request }) {
      const entry = started.get(request);
      if (!entry) return;
      started.delete(request);
      // Refused before its parameters were read: the cached refusal, not the request, is known.
      const operation = refusals.refusedFromMemory(request) ? REFUSED : entry.operation;
      duration.observe({ operation }, (performance.now() - entry.at) / 1000);
    },
  };
  return {
    registry,
    plugin,
    countRefusal: (reason) => clientRefusals.inc({ reason }),
    countReplay(codes, seconds) {
      for (const code of codes) errors.inc({ code: codeLabel(code) });
      duration.observe({ operation: REFUSED }, seconds);
    },
  };
}

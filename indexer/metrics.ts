import {
  collectDefaultMetrics,
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram,
  Registry,
} from "prom-client";

/** Prometheus metrics of the indexer, through prom-client (served on /metrics). */

export interface Counter {
  inc(by?: number): void;
  value(): number;
}

export interface Gauge {
  set(value: number): void;
  value(): number;
}

export interface Metrics {
  /** The registry /metrics renders: this indexer's metrics and the process' default ones. */
  registry: Registry;
  rpcErrors: Counter;
  /** Sync steps that failed on the database and were retried. */
  databaseErrors: Counter;
  /** Blocks whose logs were read again by block hash because their logsBloom matched. */
  bloomRefetches: Counter;
  /** Ranges refused because eth_getLogs left out logs that the blocks' logsBloom showed. */
  incompleteRanges: Counter;
  blocks: Counter;
  events: Counter;
  /** Batches committed (one transaction each). */
  batches: Counter;
  reorgs: Counter;
  headBlock: Gauge;
  indexedBlock: Gauge;
  blocksPerSecond: Gauge;
  eventsPerSecond: Gauge;
  /** Records one committed batch and updates the per-second rates over a sliding window. */
  recordBatch(blocks: number, events: number): void;
  /**
   * Times one JSON-RPC request, each retry apart (a batch is labelled `batch:<method>`). ok: a
   * usable reply; error: the provider answered with a JSON-RPC error; fault: no usable reply.
   */
  observeRpc(method: string, seconds: number, outcome: "ok" | "error" | "fault"): void;
  /** Times the transaction that writes one batch, from BEGIN to COMMIT. */
  observeWrite(seconds: number): void;
  /** The Prometheus text exposition of `registry`. */
  render(): Promise<string>;
  contentType: string;
}

const RATE_WINDOW_MS = 30_000;

let processRegistry: Registry | null = null;

/**
 * The process' default metrics (CPU, memory, event loop lag, GC, handles), collected once per
 * process however many indexers or APIs it runs (tests run several), so that their observers
 * are not installed again with each.
 */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A registry holding `own`'s metrics and the process' default ones. */
export function withProcessMetrics(own: Registry): Registry {
  return Registry.merge([processMetrics(), own]);
}

export function createMetrics(): Metrics {
  const own = new Registry();
  const counter = (name: string, help: string): Counter => {
    const metric = new PromCounter({ name, help, registers: [own] });
    let v = 0;
    return {
      inc: (by = 1) => {
        v += by;
        metric.inc(by);
      },
      value: () => v,
    };
  };
  const gauge = (name: string, help: string): Gauge => {
    const metric = new PromGauge({ name, help, registers: [own] });
    let v = 0;
    return {
      set: (x) => {
        v = x;
        metric.set(x);
      },
      value: () => v,
    };
  };
  const headBlock = gauge("indexer_head_block", "Latest block number reported by the RPC.");
  const indexedBlock = gauge("indexer_indexed_block", "Highest block written to the database.");
  new PromGauge({
    name: "indexer_head_lag_blocks",
    help: "Blocks between the chain head and the indexed block.",
    registers: [own],
    collect() {
      this.set(Math.max(0, headBlock.value() - indexedBlock.value()));
    },
  });
  const metrics = {
    headBlock,
    indexedBlock,
    blocks: counter("indexer_blocks_total", "Blocks indexed since start."),
    events: counter("indexer_events_total", "Events indexed since start."),
    batches: counter("indexer_batches_total", "Batches committed since start."),
    blocksPerSecond: gauge("indexer_blocks_per_second", "Blocks indexed per second, last 30 s."),
    eventsPerSecond: gauge("indexer_events_per_second", "Events indexed per second, last 30 s."),
    rpcErrors: counter("indexer_rpc_errors_total", "Failed RPC requests (including retried ones)."),
    databaseErrors: counter(
      "indexer_database_errors_total",
      "Sync steps that failed on the database and were retried.",
    ),
    bloomRefetches: counter(
      "indexer_bloom_refetches_total",
      "Blocks whose logs were read again by block hash because their logsBloom matched.",
    ),
    incompleteRanges: counter(
      "indexer_incomplete_ranges_total",
      "Log ranges refused because the provider left out logs the blocks' logsBloom showed.",
    ),
    reorgs: counter("indexer_reorgs_total", "Chain reorganisations rolled back."),
  };
  const rpcSeconds = new Histogram({
    name: "indexer_rpc_duration_seconds",
    help: "Duration of one JSON-RPC request (one HTTP exchange), by method and outcome.",
    labelNames: ["method", "outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [own],
  });
  const writeSeconds = new Histogram({
    name: "indexer_write_duration_seconds",
    help: "Duration of the transaction that writes one batch (handlers, checkpoint, commit).",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [own],
  });
  const window: { at: number; blocks: number; events: number }[] = [];
  const registry = withProcessMetrics(own);

  return {
    ...metrics,
    registry,
    recordBatch(blocks, events) {
      const now = Date.now();
      metrics.blocks.inc(blocks);
      metrics.events.inc(events);
      metrics.batches.inc();
      window.push({ at: now, blocks, events });
      while (window.length > 0 && window[0].at < now - RATE_WINDOW_MS) window.shift();
      const spanSeconds = Math.max(1, now - window[0].at) / 1000;
      metrics.blocksPerSecond.set(window.reduce((sum, w) => sum + w.blocks, 0) / spanSeconds);
      metrics.eventsPerSecond.set(window.reduce((sum, w) => sum + w.events, 0) / spanSeconds);
    },
    observeRpc(method, seconds, outcome) {
      rpcSeconds.observe({ method, outcome }, seconds);
    },
    observeWrite(seconds) {
      writeSeconds.observe(seconds);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** Prometheus metrics in the plain text exposition format, without a client library. */

export interface Counter {
  inc(by?: number): void;
  value(): number;
}

export interface Gauge {
  set(value: number): void;
  value(): number;
}

export interface Metrics {
  rpcErrors: Counter;
  blocks: Counter;
  events: Counter;
  reorgs: Counter;
  headBlock: Gauge;
  indexedBlock: Gauge;
  blocksPerSecond: Gauge;
  eventsPerSecond: Gauge;
  /** Records one committed batch and updates the per-second rates over a sliding window. */
  recordBatch(blocks: number, events: number): void;
  render(): string;
}

const RATE_WINDOW_MS = 30_000;

export function createMetrics(): Metrics {
  const counter = (): Counter => {
    let v = 0;
    return { inc: (by = 1) => void (v += by), value: () => v };
  };
  const gauge = (): Gauge => {
    let v = 0;
    return { set: (x) => void (v = x), value: () => v };
  };
  const metrics = {
    rpcErrors: counter(),
    blocks: counter(),
    events: counter(),
    reorgs: counter(),
    headBlock: gauge(),
    indexedBlock: gauge(),
    blocksPerSecond: gauge(),
    eventsPerSecond: gauge(),
  };
  const window: { at: number; blocks: number; events: number }[] = [];

  return {
    ...metrics,
    recordBatch(blocks, events) {
      const now = Date.now();
      metrics.blocks.inc(blocks);
      metrics.events.inc(events);
      window.push({ at: now, blocks, events });
      while (window.length > 0 && window[0].at < now - RATE_WINDOW_MS) window.shift();
      const spanSeconds = Math.max(1, now - window[0].at) / 1000;
      metrics.blocksPerSecond.set(window.reduce((sum, w) => sum + w.blocks, 0) / spanSeconds);
      metrics.eventsPerSecond.set(window.reduce((sum, w) => sum + w.events, 0) / spanSeconds);
    },
    render() {
      const lines: string[] = [];
      const emit = (name: string, type: "counter" | "gauge", help: string, value: number) => {
        lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
      };
      const lag = Math.max(0, metrics.headBlock.value() - metrics.indexedBlock.value());
      emit(
        "indexer_head_block",
        "gauge",
        "Latest block number reported by the RPC.",
        metrics.headBlock.value(),
      );
      emit(
        "indexer_indexed_block",
        "gauge",
        "Highest block written to the database.",
        metrics.indexedBlock.value(),
      );
      emit(
        "indexer_head_lag_blocks",
        "gauge",
        "Blocks between the chain head and the indexed block.",
        lag,
      );
      emit(
        "indexer_blocks_total",
        "counter",
        "Blocks indexed since start.",
        metrics.blocks.value(),
      );
      emit(
        "indexer_events_total",
        "counter",
        "Events indexed since start.",
        metrics.events.value(),
      );
      emit(
        "indexer_blocks_per_second",
        "gauge",
        "Blocks indexed per second, last 30 s.",
        metrics.blocksPerSecond.value(),
      );
      emit(
        "indexer_events_per_second",
        "gauge",
        "Events indexed per second, last 30 s.",
        metrics.eventsPerSecond.value(),
      );
      emit(
        "indexer_rpc_errors_total",
        "counter",
        "Failed RPC requests (including retried ones).",
        metrics.rpcErrors.value(),
      );
      emit(
        "indexer_reorgs_total",
        "counter",
        "Chain reorganisations rolled back.",
        metrics.reorgs.value(),
      );
      return lines.join("\n") + "\n";
    },
  };
}

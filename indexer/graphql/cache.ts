import type { DocumentNode, ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";

/** A result that brings its own serializer, which yoga's result processor uses. */
type SerializedResult = ExecutionResult & { stringify: () => string };

export interface ResponseCacheOptions {
  /** Longest an answer is served again, in ms; 0 turns the cache off. */
  ttlMs: number;
  /** Bytes of answers (serialized) and keys kept at most; the least recently used go first. */
  maxBytes: number;
  /** An answer larger than this is not kept. */
  maxEntryBytes: number;
  /**
   * The version of the indexed data: it changes with every commit of the indexer and never
   * returns to an earlier value, so an answer computed at one version is exact for as long as
   * the version stays the same.
   */
  version(): Promise<string>;
}

export interface ResponseCache {
  plugin: Plugin;
  stats(): { hits: number; misses: number; entries: number; bytes: number };
}

/**
 * A map bounded by the bytes of what it holds, as `sizeOf` counts them: once over `maxBytes`, the
 * least recently used entries go. The parser's caches and the response cache use it, so that
 * large distinct queries cannot grow memory the way a count of entries would let them.
 */
export class ByteBoundedCache<T> {
  private readonly entries = new Map<string, { value: T; bytes: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (key: string, value: T) => number,
  ) {}

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T): void {
    this.delete(key);
    const bytes = this.sizeOf(key, value);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.total;
  }
}

/**
 * Caches of parsed documents and parse errors for yoga, bounded by the length of the query
 * texts they hold: a document's syntax tree takes a bounded multiple of its text
 * (`astBytesPerChar`, measured as heap growth per character of parsed queries).
 */
export function parserCaches(maxBytes: number) {
  const astBytesPerChar = 40;
  const sizeOf = (key: string) => key.length * astBytesPerChar;
  return {
    documentCache: new ByteBoundedCache<DocumentNode>(maxBytes, sizeOf),
    errorCache: new ByteBoundedCache<unknown>(maxBytes, sizeOf),
  };
}

interface Entry {
  /** Carries its serialized form, so that a hit is not serialized again. */
  result: SerializedResult;
  text: string;
  version: string;
  storedAt: number;
}

/**
 * Coalesces concurrent reads of the version without ever answering a request with a read that
 * began before it arrived: a request that finds a read in flight waits for the next one, which
 * starts when that read ends. So a request always sees every commit made before it arrived, and
 * the database answers one version read at a time however many requests wait.
 */
function coalesce(read: () => Promise<string>): () => Promise<string> {
  let inFlight: Promise<string> | null = null;
  let queued: Promise<string> | null = null;
  const start = (): Promise<string> => {
    const reading = read();
    inFlight = reading;
    const clear = () => {
      if (inFlight === reading) inFlight = null;
    };
    reading.then(clear, clear);
    return reading;
  };
  return () => {
    if (!inFlight) return start();
    queued ??= inFlight
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        queued = null;
        return start();
      });
    return queued;
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/**
 * Serves a repeated query from memory while the indexed data stays the same. The API reads only
 * what the indexer writes, and the indexer updates its checkpoint row in the transaction of
 * every batch and every rollback, so the transaction that last wrote that row (its `xmin`)
 * versions the data, and never returns to an earlier value (the checkpoint itself can: a
 * rollback may return to a block it held before). Each request reads the version (one
 * primary-key lookup) and an answer computed at that version is served again, without parsing,
 * validating or executing. The version is read before executing, so an answer that may include
 * a later commit carries an older version and is never served once that commit is visible. The
 * TTL bounds what the version does not cover: indexerStatus' head lag, read from the node.
 * Keyed by the request's query text, variables, operation name and extensions; only complete
 * answers without errors or extensions are kept, never subscriptions. A hit is sent as the text
 * serialized when it was stored.
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const entries = new ByteBoundedCache<Entry>(
    options.maxBytes,
    (key, entry) => Buffer.byteLength(key) + Buffer.byteLength(entry.text),
  );
  const readVersion = coalesce(options.version);
  let hits = 0;
  let misses = 0;
  const plugin: Plugin = {
    async onParams({ params, setResult, paramsHandler, setParamsHandler }) {
      if (options.ttlMs <= 0 || typeof params.query !== "string") return;
      let key: string;
      try {
        key = JSON.stringify([
          params.query,
          params.variables ?? null,
          params.operationName ?? null,
          params.extensions ?? null,
        ]);
      } catch {
        // Variables too deep to serialize: the query limits refuse them, nothing to cache.
        return;
      }
      if (Buffer.byteLength(key) > options.maxEntryBytes) return;
      const version = await readVersion();
      const entry = entries.get(key);
      if (entry && entry.version === version && Date.now() - entry.storedAt < options.ttlMs) {
        hits++;
        setResult(entry.result);
        return;
      }
      misses++;
      setParamsHandler(async (payload) => {
        const result = await paramsHandler(payload);
        if (isAsyncIterable(result) || result.errors || result.extensions) return result;
        const text = JSON.stringify(result);
        if (Buffer.byteLength(text) > options.maxEntryBytes) return result;
        entries.set(key, {
          result: { ...result, stringify: () => text },
          text,
          version,
          storedAt: Date.now(),
        });
        return result;
      });
    },
  };
  return { plugin, stats: () => ({ hits, misses, entries: entries.size, bytes: entries.bytes }) };
}

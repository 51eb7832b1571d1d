import type { Logger } from "pino";
import type { IndexerConfig } from "./config";
import { requestContentRefresh } from "./content/queue";
import { createContentResolver, type ContentResolver } from "./content/worker";
import { openDatabase, type Database } from "./db/database";
import { databaseConfigFix, isDatabaseUnavailable } from "./db/errors";
import { migrate } from "./db/migrate";
import { HANDLERS } from "./handlers";
import type { Handler } from "./handlers/types";
import { createMetrics, type Metrics } from "./metrics";
import { startStatusServer, type StatusServer } from "./server";
import { backoffDelay } from "./sync/backoff";
import { isRetryable, createSync, type Sync } from "./sync/engine";
import { createHealth, type Health, type Problem } from "./sync/health";
import { AbortedError, RpcFaultError, createRpc, sleep } from "./sync/rpc";

/** What /ready answers: ready, or why not. */
export interface Readiness {
  ready: boolean;
  indexed_block: number;
  /** The head the provider last reported; null before the first answer. */
  head_block: number | null;
  /** Blocks between the head (minus confirmations) and the indexed block. */
  lag_blocks: number | null;
  max_lag_blocks: number;
  /** Failing dependencies, with the latest error (the database is checked on each call). */
  problems: {
    component: Problem["component"] | "database";
    error: string;
    since?: string;
    failures?: number;
  }[];
}

export interface Indexer {
  db: Database;
  sync: Sync;
  /** Resolves metadata and content URIs; `run()` runs it beside the sync when enabled. */
  content: ContentResolver;
  metrics: Metrics;
  health: Health;
  /** Present when started with `serve: true`. */
  server?: StatusServer;
  /**
   * Ready when the provider and the database answer, no step is failing, and the indexed block
   * is at most READY_MAX_LAG_BLOCKS behind the head.
   */
  readiness(): Promise<Readiness>;
  /** Follows the chain (and resolves content, unless CONTENT_RESOLVER=false) until `stop()`. */
  run(): Promise<void>;
  /** Lets the current transaction finish, then closes the server and the database. Idempotent. */
  stop(): Promise<void>;
}

export interface CreateIndexerParams {
  config: IndexerConfig;
  logger: Logger;
  handlers?: readonly Handler[];
  /** Start the /health, /ready, /metrics server. */
  serve?: boolean;
  /** Gives up waiting for the database or the provider at start (AbortedError). */
  signal?: AbortSignal;
}

/** A database error that waiting cannot cure; the message names the fix. */
export class DatabaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseConfigError";
  }
}

/**
 * Opens the database, applies migrations and prepares the sync; `run()` starts it. A database
 * or provider that does not answer yet is waited for, with the same backoff as the running
 * sync, while /health answers and /ready says why it is not ready.
 */
export async function createIndexer(params: CreateIndexerParams): Promise<Indexer> {
  const { config, logger } = params;
  const metrics = createMetrics();
  const health = createHealth();
  const abort = new AbortController();
  const signal = params.signal ? AbortSignal.any([abort.signal, params.signal]) : abort.signal;
  const backoff = { baseMs: config.backoffBaseMs, maxMs: config.backoffMaxMs };
  const db = await openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    embeddedDir: config.embeddedPostgresDir,
    embeddedPort: config.embeddedPostgresPort,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    logger,
  });
  let server: StatusServer | undefined;
  try {
    const rpc = createRpc({
      url: config.rpcUrl,
      timeoutMs: config.rpcTimeoutMs,
      maxRetries: config.rpcMaxRetries,
      maxResponseBytes: config.rpcMaxResponseBytes,
      backoff,
      logger,
      metrics,
      health,
      signal,
    });
    const sync = createSync({
      config,
      handlers: params.handlers ?? HANDLERS,
      pool: db.pool,
      rpc,
      logger,
      metrics,
      health,
    });

    const content = createContentResolver({
      pool: db.pool,
      logger,
      options: {
        fetch: {
          timeoutMs: config.content.timeoutMs,
          maxBytes: config.content.maxBytes,
          ipfsGateways: config.content.ipfsGateways,
          allowPrivateAddresses: config.content.allowPrivateAddresses,
          allowHttp: config.content.allowHttp,
        },
        concurrency: config.content.concurrency,
        pollIntervalMs: config.content.pollIntervalMs,
        maxAttempts: config.content.maxAttempts,
        backoff,
      },
    });

    const readiness = async (): Promise<Readiness> => {
      const problems: Readiness["problems"] = health.problems();
      const database = await answersWithin(
        db.pool.query("SELECT 1"),
        config.readyTimeoutMs,
        `no answer to SELECT 1 within READY_TIMEOUT_MS (${config.readyTimeoutMs})`,
      );
      if (database !== null) {
        problems.push({ component: "database", error: database });
      }
      const { indexedBlock, headBlock } = sync.status();
      const target = headBlock === null ? null : headBlock - BigInt(config.confirmations);
      const lag = target === null ? null : target > indexedBlock ? target - indexedBlock : 0n;
      return {
        ready: problems.length === 0 && lag !== null && lag <= BigInt(config.readyMaxLagBlocks),
        indexed_block: Number(indexedBlock),
        head_block: headBlock === null ? null : Number(headBlock),
        lag_blocks: lag === null ? null : Number(lag),
        max_lag_blocks: config.readyMaxLagBlocks,
        problems,
      };
    };

    server = params.serve
      ? await startStatusServer(
          config.httpPort,
          metrics,
          {
            readiness,
            refreshContent: (uri) =>
              requestContentRefresh(db.pool, uri, config.content.refreshMinIntervalMs),
          },
          config.httpHost,
        )
      : undefined;
    if (server) {
      logger.info({ http_host: server.address, http_port: server.port }, "status server listening");
    }

    for (let attempt = 0; ; attempt++) {
      try {
        if (config.databaseSchema !== "") {
          await db.pool.query(`CREATE SCHEMA IF NOT EXISTS "${config.databaseSchema}"`);
        }
        await migrate(db.pool, logger);
        await sync.init();
        health.report("sync", null);
        break;
      } catch (error) {
        if (signal.aborted) throw new AbortedError();
        const fix = databaseConfigFix(error);
        if (fix) throw new DatabaseConfigError(`${(error as Error).message}: ${fix}`);
        if (!isRetryable(error)) throw error;
        health.report("sync", error);
        const database = isDatabaseUnavailable(error);
        const delayMs = backoffDelay(
          backoff,
          attempt,
          error instanceof RpcFaultError ? error.retryAfterMs : undefined,
        );
        logger.warn(
          { err: error, component: database ? "database" : "rpc", attempt, retry_in_ms: delayMs },
          database ? "database unreachable, waiting" : "provider unreachable, waiting",
        );
        await sleep(delayMs, signal);
      }
    }

    let running: Promise<void> | undefined;
    let stopped: Promise<void> | undefined;
    const started = server;
    return {
      db,
      sync,
      content,
      metrics,
      health,
      server,
      readiness,
      run() {
        // The resolver has its own connections and loop: a slow or hostile URI never holds up
        // a sync step, and the sync's end (stop) ends it.
        const resolving = config.content.enabled ? content.run(signal) : Promise.resolve();
        running = Promise.all([sync.run(signal), resolving]).then(() => undefined);
        return running;
      },
      stop() {
        stopped ??= (async () => {
          abort.abort();
          await running?.catch(() => undefined);
          await started?.close();
          await db.close();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** Null if `query` settles successfully within `ms`, else what went wrong. */
async function answersWithin(
  query: Promise<unknown>,
  ms: number,
  timeoutMessage: string,
): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(timeoutMessage), ms);
  });
  try {
    return await Promise.race([
      query.then(
        () => null,
        (error: Error) => error.message || String(error),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

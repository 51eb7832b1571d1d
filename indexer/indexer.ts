import type { Logger } from "pino";
import type { IndexerConfig } from "./config";
import { openDatabase, type Database } from "./db/database";
import { migrate } from "./db/migrate";
import { HANDLERS } from "./handlers";
import type { Handler } from "./handlers/types";
import { createMetrics, type Metrics } from "./metrics";
import { startStatusServer, type StatusServer } from "./server";
import { createSync, type Sync } from "./sync/engine";
import { createRpc } from "./sync/rpc";

export interface Indexer {
  db: Database;
  sync: Sync;
  metrics: Metrics;
  /** Present when started with `serve: true`. */
  server?: StatusServer;
  /** Follows the chain until `stop()`. */
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
}

/** Opens the database, applies migrations and prepares the sync; `run()` starts it. */
export async function createIndexer(params: CreateIndexerParams): Promise<Indexer> {
  const { config, logger } = params;
  const metrics = createMetrics();
  const abort = new AbortController();
  const db = await openDatabase({
    url: config.databaseUrl,
    embeddedDir: config.embeddedPostgresDir,
    embeddedPort: config.embeddedPostgresPort,
    logger,
  });
  try {
    await migrate(db.pool, logger);
    const rpc = createRpc({
      url: config.rpcUrl,
      timeoutMs: config.rpcTimeoutMs,
      maxRetries: config.rpcMaxRetries,
      logger,
      metrics,
      signal: abort.signal,
    });
    const sync = createSync({
      config,
      handlers: params.handlers ?? HANDLERS,
      pool: db.pool,
      rpc,
      logger,
      metrics,
    });
    await sync.init();
    const server = params.serve
      ? await startStatusServer(config.httpPort, metrics, {
          ready: () => sync.status().ready,
          healthy: async () => (await db.pool.query("SELECT 1")).rowCount === 1,
        })
      : undefined;
    if (server) logger.info({ http_port: server.port }, "status server listening");

    let running: Promise<void> | undefined;
    let stopped: Promise<void> | undefined;
    return {
      db,
      sync,
      metrics,
      server,
      run() {
        running = sync.run(abort.signal);
        return running;
      },
      stop() {
        stopped ??= (async () => {
          abort.abort();
          await running?.catch(() => undefined);
          await server?.close();
          await db.close();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

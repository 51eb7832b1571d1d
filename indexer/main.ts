import { ConfigError, loadConfig } from "./config";
import { createIndexer, type Indexer } from "./indexer";
import { createLogger } from "./logger";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      createLogger("info").fatal({ option: error.option }, error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);

  // Signals are handled from the start: the indexer may wait a long time for its database or
  // provider before it runs, and must stop cleanly meanwhile.
  const stopping = new AbortController();
  let indexer: Indexer | undefined;
  const finish = (running: Indexer) =>
    running.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  const shutdown = (signal: string) => {
    if (stopping.signal.aborted) return;
    logger.info({ signal }, "shutting down");
    stopping.abort();
    if (indexer) void finish(indexer);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  try {
    indexer = await createIndexer({ config, logger, serve: true, signal: stopping.signal });
  } catch (error) {
    if (stopping.signal.aborted) {
      logger.info("stopped");
      process.exit(0);
    }
    throw error;
  }
  if (stopping.signal.aborted) return void finish(indexer);

  try {
    await indexer.run();
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    await indexer.stop().catch(() => undefined);
    process.exit(1);
  }
}

main().catch((error) => {
  createLogger("info").fatal({ err: error }, (error as Error).message);
  process.exit(1);
});

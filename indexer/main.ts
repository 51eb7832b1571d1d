import { ConfigError, loadConfig } from "./config";
import { createIndexer } from "./indexer";
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
  const indexer = await createIndexer({ config, logger, serve: true });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    indexer.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

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

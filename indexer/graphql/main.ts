import { createLogger } from "../logger";
import { createApi, DEFAULT_LIMITS } from "./api";
import { createReadPool } from "./database";
import { serveApi } from "./server";
import { rpcHeadBlock } from "./status";

/**
 * `npx ts-node indexer/graphql/main.ts`: serves the API on API_PORT (4000) over DATABASE_URL,
 * by default the indexer's embedded Postgres. RPC_URL, when set, gives indexerStatus.headLag.
 */
async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? "info").child({ component: "api" });
  const url = process.env.DATABASE_URL || "postgres://postgres:postgres@127.0.0.1:54329/agora";
  const port = Number(process.env.API_PORT ?? 4000);
  const timeoutMs = Number(process.env.API_TIMEOUT_MS ?? DEFAULT_LIMITS.timeoutMs);
  const cacheTtlMs = Number(process.env.API_CACHE_TTL_MS ?? DEFAULT_LIMITS.cacheTtlMs);
  for (const [name, value] of [
    ["API_TIMEOUT_MS", timeoutMs],
    ["API_CACHE_TTL_MS", cacheTtlMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(
        `${name} must be a whole number of milliseconds (0 or more), got "${process.env[name]}"`,
      );
    }
  }
  const pool = createReadPool({ url, statementTimeoutMs: timeoutMs, logger });
  const api = await createApi({
    pool,
    databaseUrl: url,
    logger,
    limits: { timeoutMs, cacheTtlMs },
    headBlock: process.env.RPC_URL ? rpcHeadBlock(process.env.RPC_URL) : undefined,
  });
  const server = await serveApi(api, { port });
  logger.info({ port: server.port, endpoint: api.yoga.graphqlEndpoint }, "api listening");
  const shutdown = () => {
    server
      .close()
      .then(() => api.close())
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error) => {
  createLogger("info").fatal({ err: error }, (error as Error).message);
  process.exit(1);
});

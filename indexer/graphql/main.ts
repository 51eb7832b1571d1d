import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { Logger } from "pino";
import { listenHost } from "../config";
import { createLogger } from "../logger";
import { createApi, DEFAULT_LIMITS, type ApiLimits } from "./api";
import { createReadPool, warnIfWritable } from "./database";
import { corsOrigins } from "./requests";
import { serveApi, serveMetrics, type MetricsSource } from "./server";
import { rpcHeadBlock } from "./status";

/** A whole number of 0 or more from the environment, or the default. */
function wholeNumber(name: string, fallback: number, unit: string): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number of ${unit} (0 or more), got "${raw}"`);
  }
  return value;
}

/** A whole number of 1 or more from the environment, or the default. */
function positiveNumber(name: string, fallback: number, unit: string): number {
  const value = wholeNumber(name, fallback, unit);
  if (value < 1) throw new Error(`${name} must be a whole number of ${unit} (1 or more), got "0"`);
  return value;
}

/** A worker tells the primary it listens with this message. */
interface Listening {
  type: "agora:api-listening";
  host: string;
  port: number;
  endpoint: string;
}

/**
 * `npm run api` (the build) or `npx ts-node indexer/graphql/main.ts`: serves the API on API_HOST
 * (127.0.0.1) and API_PORT (4000) over API_DATABASE_URL (a login of the role agora_api), else
 * DATABASE_URL, by default the indexer's embedded Postgres. RPC_URL, when set, gives
 * indexerStatus.headLag. The limits of docs/api.md read their API_* variables here. Prometheus
 * metrics are served on API_METRICS_HOST (127.0.0.1) and API_METRICS_PORT (42070), not on the
 * public port.
 *
 * API_WORKERS=N (default 1) runs N processes with node:cluster: the primary listens on the
 * port and hands each connection to a worker in turn, each worker is a whole API (its read pool,
 * response cache, per-client limits and live updates), and the primary serves the metrics of all
 * of them, summed. With 1, the API runs in this process alone.
 */
async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? "info").child({ component: "api" });
  const workers = positiveNumber("API_WORKERS", 1, "processes");
  const metricsPort = wholeNumber("API_METRICS_PORT", 42_070, "a port");
  const metricsHost = listenHost(process.env.API_METRICS_HOST || "127.0.0.1", "API_METRICS_HOST");
  if (workers > 1 && cluster.isPrimary) {
    await runPrimary(logger, workers, { port: metricsPort, host: metricsHost });
    return;
  }
  await runApi(logger, cluster.isWorker ? null : { port: metricsPort, host: metricsHost });
}

/**
 * Forks `count` workers and serves their summed metrics. A worker that dies after it listened is
 * replaced; one that dies before it ever listened (a bad setting, an unreachable database) ends
 * the primary with an error, since its replacement would fail the same way. SIGTERM and SIGINT
 * stop the workers (each closes its server, its live updates and its pool) and then the primary.
 */
async function runPrimary(
  logger: Logger,
  count: number,
  metricsAt: { port: number; host: string },
): Promise<void> {
  const aggregator = new AggregatorRegistry();
  const source: MetricsSource = {
    render: () => aggregator.clusterMetrics(),
    contentType: aggregator.contentType,
  };
  let stopping = false;
  const listening = new Map<number, Listening>();
  let announced = false;
  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (message: Listening) => {
      if (message?.type !== "agora:api-listening") return;
      listening.set(worker.id, message);
      if (!announced && listening.size === count) {
        announced = true;
        logger.info(
          {
            host: message.host,
            port: message.port,
            endpoint: message.endpoint,
            workers: Object.values(cluster.workers ?? {}).map((one) => one!.process.pid),
          },
          "api listening",
        );
      }
    });
    return worker;
  };
  cluster.on("exit", (worker: Worker, code, signal) => {
    const listened = listening.delete(worker.id);
    if (stopping) return;
    if (!listened) {
      logger.fatal({ pid: worker.process.pid, code, signal }, "an API worker failed to start");
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
      process.exitCode = 1;
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "an API worker died; starting another");
    fork();
  });
  for (let i = 0; i < count; i++) fork();
  const metrics = await serveMetrics(source, metricsAt);
  logger.info({ host: metrics.address, port: metrics.port }, "api metrics listening");
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker !== undefined && !worker.isDead(),
    );
    Promise.all(
      alive.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once("exit", () => resolve());
            worker.process.kill("SIGTERM");
          }),
      ),
    )
      .then(() => metrics.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

/**
 * One API: its pool, its server on API_PORT and, unless it is a cluster worker (whose primary
 * serves the metrics of all), its metrics on `metricsAt`.
 */
async function runApi(
  logger: Logger,
  metricsAt: { port: number; host: string } | null,
): Promise<void> {
  const url = process.env.DATABASE_URL || "postgres://postgres:postgres@127.0.0.1:54329/agora";
  const port = Number(process.env.API_PORT ?? 4000);
  const host = listenHost(process.env.API_HOST || "127.0.0.1", "API_HOST");
  const timeoutMs = wholeNumber("API_TIMEOUT_MS", DEFAULT_LIMITS.timeoutMs, "milliseconds");
  const limits: Partial<ApiLimits> = {
    timeoutMs,
    cacheTtlMs: wholeNumber("API_CACHE_TTL_MS", DEFAULT_LIMITS.cacheTtlMs, "milliseconds"),
    cacheMaxBytes: wholeNumber("API_CACHE_MAX_BYTES", DEFAULT_LIMITS.cacheMaxBytes, "bytes"),
    parserCacheMaxBytes: wholeNumber(
      "API_PARSER_CACHE_MAX_BYTES",
      DEFAULT_LIMITS.parserCacheMaxBytes,
      "bytes",
    ),
    maxBodyBytes: wholeNumber("API_MAX_BODY_BYTES", DEFAULT_LIMITS.maxBodyBytes, "bytes"),
    maxTokens: wholeNumber("API_MAX_TOKENS", DEFAULT_LIMITS.maxTokens, "tokens"),
    maxCost: wholeNumber("API_MAX_COST", DEFAULT_LIMITS.maxCost, "fields"),
    maxConcurrentPerClient: wholeNumber(
      "API_MAX_CONCURRENT_PER_CLIENT",
      DEFAULT_LIMITS.maxConcurrentPerClient,
      "requests",
    ),
    maxQueuedPerClient: wholeNumber(
      "API_MAX_QUEUED_PER_CLIENT",
      DEFAULT_LIMITS.maxQueuedPerClient,
      "requests",
    ),
    maxRunning: wholeNumber("API_MAX_RUNNING", DEFAULT_LIMITS.maxRunning, "requests"),
    clientBudgetMsPerSecond: wholeNumber(
      "API_CLIENT_BUDGET_MS",
      DEFAULT_LIMITS.clientBudgetMsPerSecond,
      "milliseconds a second",
    ),
    refusalCacheMaxBytes: wholeNumber(
      "API_REFUSAL_CACHE_MAX_BYTES",
      DEFAULT_LIMITS.refusalCacheMaxBytes,
      "bytes",
    ),
  };
  const origins = corsOrigins(process.env.API_CORS_ORIGINS);
  const trustProxy = process.env.API_TRUST_PROXY === "1" || process.env.API_TRUST_PROXY === "true";
  const apiUrl = process.env.API_DATABASE_URL || url;
  // DATABASE_SCHEMA: the schema of views a re-index switches (docs/operations.md).
  const schema = process.env.DATABASE_SCHEMA || undefined;
  const pool = createReadPool({ url: apiUrl, statementTimeoutMs: timeoutMs, logger, schema });
  await warnIfWritable(pool, logger);
  const api = await createApi({
    pool,
    databaseUrl: apiUrl,
    logger,
    limits,
    corsOrigins: () => origins,
    headBlock: process.env.RPC_URL ? rpcHeadBlock(process.env.RPC_URL) : undefined,
  });
  const server = await serveApi(api, { port, host, trustProxy });
  const metrics = metricsAt
    ? await serveMetrics(
        {
          render: () => api.metrics.registry.metrics(),
          contentType: api.metrics.registry.contentType,
        },
        metricsAt,
      )
    : null;
  if (cluster.isWorker) {
    // The primary asks each worker for its metrics over the cluster's channel.
    AggregatorRegistry.setRegistries([api.metrics.registry]);
    new AggregatorRegistry();
    const message: Listening = {
      type: "agora:api-listening",
      host: server.address,
      port: server.port,
      endpoint: api.yoga.graphqlEndpoint,
    };
    process.send!(message);
  } else {
    logger.info(
      { host: server.address, port: server.port, endpoint: api.yoga.graphqlEndpoint },
      "api listening",
    );
    logger.info({ host: metrics!.address, port: metrics!.port }, "api metrics listening");
  }
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server
      .close()
      .then(() => metrics?.close())
      .then(() => api.close())
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  // A worker whose primary is gone has nobody to hand it connections.
  if (cluster.isWorker) process.on("disconnect", shutdown);
}

main().catch((error) => {
  createLogger("info").fatal({ err: error }, (error as Error).message);
  process.exit(1);
});

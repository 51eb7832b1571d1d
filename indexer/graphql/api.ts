import {
  createSchema,
  createYoga,
  maskError,
  type Plugin,
  type YogaServerInstance,
} from "graphql-yoga";
import type { GraphQLSchema } from "graphql";
import type pg from "pg";
import type { Logger } from "pino";
import { createContext, type ApiContext, type ApiModule } from "./context";
import { ErrorCode, userError } from "./errors";
import type { PageLimits } from "./entity";
import { useQueryLimits, type QueryLimits } from "./limits";
import { startLiveHub, type LiveHub } from "./live";
import { createResponseCache, parserCaches, type ResponseCache } from "./cache";
import { createRefusalCache, type RefusalCache } from "./refusals";
import { useRequestGuards } from "./requests";
import { addressProfilesModule } from "./addressProfiles";
import { renderOfflineGraphiQL } from "./graphiql";
import { createApiMetrics, type ApiMetrics } from "./metrics";
import { useCoinPagePlans } from "./coinPage";
import { coinsModule } from "./coins";
import { contentModule } from "./content";
import { daoModule } from "./dao";
import { messagingModule } from "./messaging";
import { moderationModule } from "./moderation";
import { notificationsModule } from "./notifications";
import { profilesModule } from "./profiles";
import { referrersModule } from "./referrers";
import { AddressScalar, BigIntScalar, commonTypeDefs } from "./scalars";
import { socialModule } from "./social";
import { statusModule } from "./status";
import { MAX_RAW_BYTES } from "./strings";
import { tipsModule } from "./tips";
import { viewerModule } from "./viewer";

export interface ApiLimits extends QueryLimits {
  /** Per request: Postgres' statement_timeout of the read pool, and the whole execution. */
  timeoutMs: number;
  /** Longest a cached answer is served, in ms (see cache.ts); 0 turns the cache off. */
  cacheTtlMs: number;
  /** Bytes of answers and keys the response cache keeps at most. */
  cacheMaxBytes: number;
  /** Largest answer (serialized) the response cache keeps. */
  cacheMaxEntryBytes: number;
  /** Bytes the parsed documents (and parse errors) kept for reuse take at most, estimated. */
  parserCacheMaxBytes: number;
  /** Largest POST body accepted. */
  maxBodyBytes: number;
  /** Requests of one client answered at a time, when served by serveApi. */
  maxConcurrentPerClient: number;
  /** Requests of one client waiting for a turn; more are refused with 429. */
  maxQueuedPerClient: number;
  /** Requests processed at once per process, all clients together, when served by serveApi; 0: no limit. */
  maxRunning: number;
  /**
   * Processing time (ms) one client may use per second, averaged over 10 s, when served by
   * serveApi; above it, 429 until its use decays. 0: no budget.
   */
  clientBudgetMsPerSecond: number;
  /** Bytes the remembered refusals (keys and errors) take at most; 0: none remembered. */
  refusalCacheMaxBytes: number;
  /** Most exact bytes of event strings (`...Bytes` fields) one request may read. */
  maxRawBytes: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  defaultPageSize: 50,
  maxPageSize: 1_000,
  maxDepth: 10,
  maxIntrospectionDepth: 15,
  maxAliases: 30,
  maxCost: 100_000,
  timeoutMs: 5_000,
  cacheTtlMs: 1_000,
  cacheMaxBytes: 64 * 1024 * 1024,
  cacheMaxEntryBytes: 8 * 1024 * 1024,
  parserCacheMaxBytes: 64 * 1024 * 1024,
  maxBodyBytes: 128 * 1024,
  maxTokens: 5_000,
  maxFragmentsPerSelection: 64,
  maxVariableDepth: 20,
  filterWeight: 10,
  maxConcurrentPerClient: 4,
  maxQueuedPerClient: 32,
  maxRunning: 8,
  clientBudgetMsPerSecond: 250,
  refusalCacheMaxBytes: 8 * 1024 * 1024,
  maxRawBytes: MAX_RAW_BYTES,
};

/** The areas of the API. Each new area (coins, tips, governance) adds its module here. */
export function defaultModules(limits: PageLimits): ApiModule[] {
  return [
    statusModule,
    profilesModule(limits),
    socialModule(limits),
    contentModule(limits),
    coinsModule(limits),
    tipsModule(limits),
    referrersModule(limits),
    daoModule(limits),
    moderationModule(limits),
    messagingModule(limits),
    addressProfilesModule,
    viewerModule(limits),
    notificationsModule(limits),
  ];
}

export interface CreateApiParams {
  /** Read-only pool (createReadPool) with statement_timeout set to `limits.timeoutMs`. */
  pool: pg.Pool;
  /** Database URL for the LISTEN connection of live updates. */
  databaseUrl: string;
  logger: Logger;
  limits?: Partial<ApiLimits>;
  /** The chain head for indexerStatus.headLag (see rpcHeadBlock). */
  headBlock?: () => Promise<bigint | null>;
  modules?: (limits: PageLimits) => ApiModule[];
  /** Also check for new blocks this often, should a notification be lost; 0: never. */
  fallbackPollMs?: number;
  /** On a hot-standby replica (no LISTEN), check for new blocks this often (500 ms). */
  replicaPollMs?: number;
  /** Called with the SQL of each query a request runs. */
  onQuery?: (sql: string) => void;
  graphqlEndpoint?: string;
  /**
   * Origins whose pages may read answers (CORS), read again for each request; `*` (the
   * default): any page. Never with credentials: the API reads public data and sets no cookies.
   */
  corsOrigins?: () => readonly string[];
  /**
   * Answer coin pages (root `coin` fields reading columns, the profile, trades and holdings)
   * with one statement per coin (coinPage.ts); false executes them field by field like any
   * query. Default true; the answers are the same.
   */
  coinPagePlans?: boolean;
}

export interface Api {
  yoga: YogaServerInstance<object, ApiContext>;
  /** The executable schema (printSchema gives clients the SDL). */
  schema: GraphQLSchema;
  live: LiveHub;
  cache: ResponseCache;
  /** Requests refused for their shape, remembered by a hash of their text. */
  refusals: RefusalCache;
  metrics: ApiMetrics;
  limits: ApiLimits;
  /** Ends live subscriptions and the LISTEN connection; the pool stays the caller's. */
  close(): Promise<void>;
}

/** Ends any query or mutation running longer than `timeoutMs` with a TIMEOUT error. */
function useRequestTimeout(timeoutMs: number): Plugin<ApiContext> {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        const context = args.contextValue as ApiContext;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            context.abort.abort();
            reject(
              userError(
                ErrorCode.Timeout,
                `the query ran longer than ${timeoutMs} ms; ask for fewer items`,
              ),
            );
          }, timeoutMs);
        });
        try {
          return await Promise.race([executeFn(args), timedOut]);
        } catch (error) {
          if (
            (error as { extensions?: { code?: string } }).extensions?.code === ErrorCode.Timeout
          ) {
            return { errors: [error as never] };
          }
          throw error;
        } finally {
          clearTimeout(timer);
        }
      });
    },
  };
}

/**
 * The executable schema of `modules` (by default every area of the API): what schema.graphql
 * prints for clients (scripts/export-schema.ts).
 */
export function createApiSchema(
  modules: ApiModule[] = defaultModules(DEFAULT_LIMITS),
): GraphQLSchema {
  return createSchema<ApiContext>({
    typeDefs: [commonTypeDefs, ...modules.map((module) => module.typeDefs)],
    resolvers: [
      { BigInt: BigIntScalar, Address: AddressScalar },
      ...modules.map((module) => module.resolvers),
    ],
  });
}

/**
 * Builds the GraphQL API over the indexer's database: the schema of every module, the query
 * limits, the per-request timeout, masked internal errors and live updates. It does not
 * listen: serve `api.yoga` with serveApi, or call `api.yoga.fetch` directly.
 */
export async function createApi(params: CreateApiParams): Promise<Api> {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...params.limits };
  const modules = (params.modules ?? defaultModules)(limits);
  const live = await startLiveHub({
    url: params.databaseUrl,
    pool: params.pool,
    feeds: modules.flatMap((module) => module.feeds ?? []),
    logger: params.logger,
    fallbackPollMs: params.fallbackPollMs ?? 2_000,
    replicaPollMs: params.replicaPollMs,
  });
  const headBlock = params.headBlock ?? (async () => null);
  const cache = createResponseCache({
    ttlMs: limits.cacheTtlMs,
    maxBytes: limits.cacheMaxBytes,
    maxEntryBytes: limits.cacheMaxEntryBytes,
    async version() {
      // The transaction that last wrote the checkpoint row: every batch and every rollback
      // writes it, so this changes with each of them, even when a rollback returns to a
      // checkpoint the row held before.
      const { rows } = await params.pool.query<{ v: string }>(
        "SELECT xmin::text AS v FROM sync_checkpoint WHERE id = 1",
      );
      return rows[0]?.v ?? "";
    },
  });
  const schema = createApiSchema(modules);
  const refusals = createRefusalCache(limits.refusalCacheMaxBytes);
  const metrics = createApiMetrics({
    pool: params.pool,
    cache,
    refusals,
    live,
    feeds: modules.flatMap((module) => (module.feeds ?? []).map((feed) => feed.name)),
  });
  const logger = params.logger;
  const yoga = createYoga<object, ApiContext>({
    schema,
    graphqlEndpoint: params.graphqlEndpoint ?? "/graphql",
    graphiql: { title: "Agora API" },
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    // The cost rule reads the request's variables, so a validation result cannot be reused
    // for another request with the same document: the query limits keep what the document
    // alone decides (useQueryLimits).
    parserAndValidationCache: {
      ...parserCaches(limits.parserCacheMaxBytes),
      validationCache: false,
    },
    multipart: false,
    // useRequestGuards reads every POST body itself, refused past limits.maxBodyBytes as it
    // streams in; yoga's own limit would pipe each body through a second stream to count it.
    maxRequestBodySize: false,
    cors: () => {
      const origins = params.corsOrigins?.() ?? ["*"];
      // Yoga reads an empty list as "any origin"; here it means none.
      if (origins.length === 0) return false;
      return { origin: [...origins], credentials: false, methods: ["GET", "POST"], maxAge: 600 };
    },
    maskedErrors: {
      maskError(error, message) {
        const original = (error as { originalError?: unknown }).originalError ?? error;
        const code = (original as { extensions?: { code?: unknown } }).extensions?.code;
        if (typeof code === "string") return error as Error;
        logger.error({ err: original }, "graphql request failed");
        return maskError(error, message, false);
      },
    },
    logging: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...args) => logger.warn({ yoga: args.map(String) }, "graphql warning"),
      error: (...args) => logger.error({ yoga: args.map(String) }, "graphql error"),
    },
    context: () =>
      createContext({
        pool: params.pool,
        limits,
        live,
        headBlock,
        timeoutMs: limits.timeoutMs,
        onQuery: params.onQuery,
      }),
    // The query limits come first: the cache keys requests by their variables, which the
    // limits check for depth before anything serializes them.
    plugins: [
      metrics.plugin,
      useRequestGuards(limits, refusals),
      refusals.plugin,
      useQueryLimits(limits, Object.assign({}, ...modules.map((module) => module.listSizes ?? {}))),
      cache.plugin,
      ...(params.coinPagePlans === false ? [] : [useCoinPagePlans()]),
      useRequestTimeout(limits.timeoutMs),
    ],
  });
  return { yoga, schema, live, cache, refusals, metrics, limits, close: () => live.close() };
}

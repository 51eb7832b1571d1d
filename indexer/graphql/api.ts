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
import { createResponseCache, type ResponseCache } from "./cache";
import { coinsModule } from "./coins";
import { daoModule } from "./dao";
import { profilesModule } from "./profiles";
import { AddressScalar, BigIntScalar, commonTypeDefs } from "./scalars";
import { socialModule } from "./social";
import { statusModule } from "./status";
import { tipsModule } from "./tips";

export interface ApiLimits extends QueryLimits {
  /** Per request: Postgres' statement_timeout of the read pool, and the whole execution. */
  timeoutMs: number;
  /** Longest a cached answer is served, in ms (see cache.ts); 0 turns the cache off. */
  cacheTtlMs: number;
  /** Answers the cache keeps at most. */
  cacheMaxEntries: number;
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
  cacheMaxEntries: 2_000,
};

/** The areas of the API. Each new area (coins, tips, governance) adds its module here. */
export function defaultModules(limits: PageLimits): ApiModule[] {
  return [
    statusModule,
    profilesModule(limits),
    socialModule(limits),
    coinsModule(limits),
    tipsModule(limits),
    daoModule(limits),
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
  /** Called with the SQL of each query a request runs. */
  onQuery?: (sql: string) => void;
  graphqlEndpoint?: string;
}

export interface Api {
  yoga: YogaServerInstance<object, ApiContext>;
  /** The executable schema (printSchema gives clients the SDL). */
  schema: GraphQLSchema;
  live: LiveHub;
  cache: ResponseCache;
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
  });
  const headBlock = params.headBlock ?? (async () => null);
  const cache = createResponseCache({
    ttlMs: limits.cacheTtlMs,
    maxEntries: limits.cacheMaxEntries,
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
  const schema = createSchema<ApiContext>({
    typeDefs: [commonTypeDefs, ...modules.map((module) => module.typeDefs)],
    resolvers: [
      { BigInt: BigIntScalar, Address: AddressScalar },
      ...modules.map((module) => module.resolvers),
    ],
  });
  const logger = params.logger;
  const yoga = createYoga<object, ApiContext>({
    schema,
    graphqlEndpoint: params.graphqlEndpoint ?? "/graphql",
    graphiql: { title: "Agora API" },
    landingPage: false,
    // The cost rule reads the request's variables, so a validation result cannot be reused
    // for another request with the same document.
    parserAndValidationCache: { validationCache: false },
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
    plugins: [cache.plugin, useQueryLimits(limits), useRequestTimeout(limits.timeoutMs)],
  });
  return { yoga, schema, live, cache, limits, close: () => live.close() };
}

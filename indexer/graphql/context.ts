import type { IResolvers } from "@graphql-tools/utils";
import type pg from "pg";
import type { Db } from "./database";
import { ErrorCode, userError } from "./errors";
import type { PageLimits } from "./entity";
import type { LiveFeed, LiveHub } from "./live";

/** What every resolver receives. */
export interface ApiContext {
  db: Db;
  limits: PageLimits;
  /** This request's loader named `key`, created by `create` on first use. */
  loader<T>(key: string, create: () => T): T;
  /** Forgets every loaded value; a subscription calls it before each event it resolves. */
  resetLoaders(): void;
  live: LiveHub;
  /** The chain's head block, null when the API has no RPC to ask. */
  headBlock(): Promise<bigint | null>;
  /** Aborted when the request runs out of time; later queries are refused. */
  abort: AbortController;
}

/**
 * One area of the API (profiles and the social graph, coins, governance...): its SDL (types
 * extend Query and Subscription), resolvers, and the live feeds its subscriptions read.
 */
export interface ApiModule {
  typeDefs: string;
  resolvers: IResolvers<unknown, ApiContext>;
  feeds?: readonly LiveFeed[];
}

export interface ContextParams {
  pool: pg.Pool;
  limits: PageLimits;
  live: LiveHub;
  headBlock: () => Promise<bigint | null>;
  timeoutMs: number;
  /** Called with the SQL of every query a request runs (query counts in tests and logs). */
  onQuery?: (sql: string) => void;
}

export function createContext(params: ContextParams): ApiContext {
  const abort = new AbortController();
  let loaders = new Map<string, unknown>();
  const db: Db = {
    async query(sql, values) {
      if (abort.signal.aborted) {
        throw userError(
          ErrorCode.Timeout,
          `the query ran longer than ${params.timeoutMs} ms; ask for fewer items`,
        );
      }
      params.onQuery?.(sql);
      try {
        return (await params.pool.query(sql, values as unknown[])).rows;
      } catch (error) {
        // 57014: canceled by statement_timeout.
        if ((error as { code?: string }).code === "57014") {
          throw userError(
            ErrorCode.Timeout,
            "a database query ran longer than the time limit; ask for fewer items",
          );
        }
        throw error;
      }
    },
  };
  return {
    db,
    limits: params.limits,
    loader<T>(key: string, create: () => T): T {
      let found = loaders.get(key) as T | undefined;
      if (found === undefined) {
        found = create();
        loaders.set(key, found);
      }
      return found;
    },
    resetLoaders() {
      loaders = new Map();
    },
    live: params.live,
    headBlock: params.headBlock,
    abort,
  };
}

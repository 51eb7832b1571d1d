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
  /** Called when the request runs out of time; later queries are refused. */
  abort: { abort(): void };
}

/**
 * One area of the API (profiles and the social graph, coins, governance...): its SDL (types
 * extend Query and Subscription), resolvers, and the live feeds its subscriptions read.
 */
export interface ApiModule {
  typeDefs: string;
  resolvers: IResolvers<unknown, ApiContext>;
  feeds?: readonly LiveFeed[];
  /**
   * Fields returning a list without `first` (`"Coin.candles"`), with how many items one call
   * may return given its arguments: the cost estimate counts the fields under them that often.
   */
  listSizes?: Record<string, ListSize>;
}

/** Items a list field may return, from its arguments as the request gives them. */
export type ListSize = (args: Record<string, unknown>) => number;

export interface ContextParams {
  pool: pg.Pool;
  limits: PageLimits;
  live: LiveHub;
  headBlock: () => Promise<bigint | null>;
  timeoutMs: number;
  /** Called with the SQL of every query a request runs (query counts in tests and logs). */
  onQuery?: (sql: string) => void;
}

/** Most distinct statements the API prepares; further ones are planned on every run. */
const MAX_PREPARED_STATEMENTS = 500;
const preparedNames = new Map<string, string>();

/**
 * The name of the prepared statement for `sql`. Postgres parses and plans a named statement once
 * per connection and then reuses it (a generic plan once it is as good), which for the API's
 * small indexed reads costs more than running them. Query texts depend on the fields and
 * filters a client asks for, so the number of names is capped: past the cap a text is sent
 * unnamed, as before, and no connection holds more than the cap.
 */
function statementName(sql: string): string | undefined {
  let name = preparedNames.get(sql);
  if (name === undefined && preparedNames.size < MAX_PREPARED_STATEMENTS) {
    name = `agora_api_${preparedNames.size}`;
    preparedNames.set(sql, name);
  }
  return name;
}

export function createContext(params: ContextParams): ApiContext {
  // A flag rather than an AbortController: nothing listens for the abort, and a controller's
  // signal is an EventTarget built for every request.
  let aborted = false;
  const abort = {
    abort() {
      aborted = true;
    },
  };
  let loaders = new Map<string, unknown>();
  const db: Db = {
    async query(sql, values) {
      if (aborted) {
        throw userError(
          ErrorCode.Timeout,
          `the query ran longer than ${params.timeoutMs} ms; ask for fewer items`,
        );
      }
      params.onQuery?.(sql);
      try {
        const query = { text: sql, values: values as unknown[] | undefined };
        try {
          return (await params.pool.query({ ...query, name: statementName(sql) })).rows;
        } catch (error) {
          // 0A000: a migration changed a table under a statement this connection prepared
          // ("cached plan must not change result type"); the text runs unprepared instead.
          if ((error as { code?: string }).code !== "0A000") throw error;
          return (await params.pool.query(query)).rows;
        }
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

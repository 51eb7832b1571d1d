import pg from "pg";
import type { Logger } from "pino";

export interface ReadPoolParams {
  /** The indexer's database. */
  url: string;
  /** Postgres cancels any statement running longer. */
  statementTimeoutMs: number;
  max?: number;
  logger: Logger;
}

/**
 * The API's own pool. Every session starts read-only (`default_transaction_read_only`) and with
 * a `statement_timeout`, set through the startup packet, so no connection is ever handed out
 * before they apply and no query of the API can write or run unbounded.
 */
export function createReadPool(params: ReadPoolParams): pg.Pool {
  const pool = new pg.Pool({
    connectionString: params.url,
    max: params.max ?? 8,
    options: `-c default_transaction_read_only=on -c statement_timeout=${params.statementTimeoutMs}`,
    application_name: "agora-api",
  });
  pool.on("error", (error) =>
    params.logger.error({ err: error }, "idle api database connection failed"),
  );
  return pool;
}

/** What resolvers query through: the read pool, counted, and refused once the request is over. */
export interface Db {
  query<Row extends pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

import pg from "pg";
import type { Logger } from "pino";
import { checkSchemaName } from "../db/schemas";

export interface ReadPoolParams {
  /** The indexer's database. */
  url: string;
  /** Postgres cancels any statement running longer. */
  statementTimeoutMs: number;
  max?: number;
  logger: Logger;
  /**
   * The schema the API reads (its search_path), e.g. the stable schema of views that
   * publishSchema (indexer/db/schemas.ts) points at one index; default: the database's own.
   */
  schema?: string;
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
    options:
      `-c default_transaction_read_only=on -c statement_timeout=${params.statementTimeoutMs}` +
      (params.schema ? ` -c search_path=${checkSchemaName(params.schema)},public` : ""),
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

/** The role the API reads as (migration 0006_api_role): SELECT on the indexed tables only. */
export const API_ROLE = "agora_api";

/**
 * Whether the pool's user may write to any table of the indexed data: true means the API runs
 * with more rights than it needs (connect it as a member of API_ROLE, see docs/api.md).
 */
export async function canWrite(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ writable: boolean | null }>(
    `SELECT bool_or(has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')) AS writable
     FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
  );
  return rows[0]?.writable === true;
}

/** Logs a warning when the API's database user can write (see canWrite). */
export async function warnIfWritable(pool: pg.Pool, logger: Logger): Promise<void> {
  if (await canWrite(pool)) {
    logger.warn(
      { role: API_ROLE },
      `the API's database user can write to the indexed tables; give the API a login that is a member of ${API_ROLE} and nothing else (docs/api.md, "Database role")`,
    );
  }
}

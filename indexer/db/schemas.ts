import type pg from "pg";
import { inTransaction } from "./database";

/** A schema name the indexer and the API accept: lowercase, so it needs no quoting anywhere. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The stable schema of views the API reads, unless told otherwise. */
export const DEFAULT_LIVE_SCHEMA = "agora";

/** The table whose `xmin` versions the response cache (indexer/graphql/cache.ts). */
const CHECKPOINT = "sync_checkpoint";

// Any constant works; it serializes publishing and dropping across operators.
const SCHEMAS_LOCK_KEY = 7_240_502;

export class SchemaError extends Error {}

export function checkSchemaName(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new SchemaError(
      `"${name}" is not a schema name here: a lowercase letter or _, then lowercase letters, digits or _ (63 at most)`,
    );
  }
  return name;
}

/** The index schema the live schema's views read, or null when it has none. */
export async function liveSource(
  client: pg.Pool | pg.PoolClient,
  live = DEFAULT_LIVE_SCHEMA,
): Promise<string | null> {
  const { rows } = await client.query<{ comment: string | null }>(
    "SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1",
    [checkSchemaName(live)],
  );
  const match = /^agora:source=([a-z0-9_]+)$/.exec(rows[0]?.comment ?? "");
  return match ? match[1] : null;
}

async function checkpointOf(client: pg.PoolClient, schema: string): Promise<bigint | null> {
  const exists = await client.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2",
    [schema, CHECKPOINT],
  );
  if (exists.rowCount === 0) return null;
  const { rows } = await client.query<{ block_number: string }>(
    `SELECT block_number::text FROM "${schema}".${CHECKPOINT} WHERE id = 1`,
  );
  return rows.length === 0 ? null : BigInt(rows[0].block_number);
}

export interface PublishResult {
  /** The schema the views read before, null if none. */
  previous: string | null;
  /** Tables the views now show. */
  tables: string[];
}

/**
 * Points the live schema's views at the index in `source`, in one transaction: a reader sees
 * the old index or the new one, never a mix, never a missing table. A request that runs while
 * it commits waits for the commit (the views' locks), then reads the new index. Every base table
 * of `source` gets a view of the same name (`SELECT *`; the checkpoint's also shows the row's
 * `xmin`, the response cache's version). Refused when `source` has no index, or when its
 * checkpoint is behind the current source's (the API would go back in time) unless `allowBehind`.
 * Publishing the same source again picks up the columns and tables an additive migration added.
 */
export async function publishSchema(
  pool: pg.Pool,
  params: { source: string; live?: string; allowBehind?: boolean },
): Promise<PublishResult> {
  const source = checkSchemaName(params.source);
  const live = checkSchemaName(params.live ?? DEFAULT_LIVE_SCHEMA);
  if (source === live) throw new SchemaError("the live schema cannot be its own source");
  for (let attempt = 1; ; attempt++) {
    try {
      return await publishOnce(pool, source, live, params.allowBehind ?? false);
    } catch (error) {
      // 55P03: the views' locks were not all free within LOCK_TIMEOUT (see publishOnce).
      if ((error as { code?: string }).code !== "55P03" || attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
    }
  }
}

/**
 * Readers lock several views in one statement, in their own order. Waiting for all of them
 * while holding some could close a cycle with such a reader, and Postgres would end one of the
 * two: possibly the reader, a failed request. So the views are locked with a lock_timeout far
 * below deadlock_timeout (1 s by default): the publisher gives up first, releases, and retries.
 */
const LOCK_TIMEOUT = "50ms";

async function publishOnce(
  pool: pg.Pool,
  source: string,
  live: string,
  allowBehind: boolean,
): Promise<PublishResult> {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMAS_LOCK_KEY]);
    const indexed = await checkpointOf(client, source);
    if (indexed === null) {
      throw new SchemaError(
        `schema ${source} holds no index (no ${CHECKPOINT} row): run the indexer with DATABASE_SCHEMA=${source} first`,
      );
    }
    const previous = await liveSource(client, live);
    if (previous !== null && previous !== source && !allowBehind) {
      const current = await checkpointOf(client, previous);
      if (current !== null && indexed < current) {
        throw new SchemaError(
          `schema ${source} is indexed to block ${indexed}, behind ${previous} (block ${current}) which the API serves now; wait until it catches up (its /ready), or allow going back`,
        );
      }
    }
    const { rows: tables } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
      [source],
    );
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${live}"`);
    const { rows: views } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.views WHERE table_schema = $1",
      [live],
    );
    if (views.length > 0) {
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await client.query(
        `LOCK TABLE ${views.map((view) => `"${live}"."${view.table_name}"`).join(", ")} IN ACCESS EXCLUSIVE MODE`,
      );
      await client.query("SET LOCAL lock_timeout = 0");
    }
    for (const view of views) await client.query(`DROP VIEW "${live}"."${view.table_name}"`);
    for (const { table_name: table } of tables) {
      const extra = table === CHECKPOINT ? ", t.xmin" : "";
      await client.query(
        `CREATE VIEW "${live}"."${table}" AS SELECT t.*${extra} FROM "${source}"."${table}" t`,
      );
    }
    await client.query(`COMMENT ON SCHEMA "${live}" IS 'agora:source=${source}'`);
    return { previous, tables: tables.map((row) => row.table_name) };
  });
}

/**
 * Drops an index schema once nothing serves it: refused while the live schema's views read it.
 * Statements still reading it (begun before the switch) finish first: DROP waits for their locks.
 */
export async function dropSchema(
  pool: pg.Pool,
  params: { schema: string; live?: string },
): Promise<void> {
  const schema = checkSchemaName(params.schema);
  const live = checkSchemaName(params.live ?? DEFAULT_LIVE_SCHEMA);
  if (schema === live) throw new SchemaError(`${schema} is the live schema; drop its sources`);
  if (schema === "public") throw new SchemaError("public is not dropped; drop its tables");
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMAS_LOCK_KEY]);
    if ((await liveSource(client, live)) === schema) {
      throw new SchemaError(
        `schema ${schema} is what ${live} serves; publish another index before dropping it`,
      );
    }
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
}

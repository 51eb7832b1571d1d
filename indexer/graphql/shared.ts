import type { ApiContext } from "./context";
import type { LiveFeed } from "./live";
import {
  createPageLoader,
  pageLoaderKey,
  selectColumns,
  type Column,
  type Entity,
  type PageArgs,
  type Row,
} from "./entity";

/**
 * SQL for "now": the timestamp of the latest indexed block, which the sync stores with the
 * checkpoint for every range it writes, events or not. Time-dependent values (a coin's 24-hour
 * volume, a proposal's state) are computed against it rather than the wall clock, so the same
 * indexed data always gives the same answer, and a quiet chain still moves time forwards.
 * A checkpoint written before the timestamp was kept falls back to the latest block holding an
 * event. Null before the first block is indexed.
 */
export const NOW_SQL = `coalesce(
  (SELECT nc.block_timestamp FROM sync_checkpoint nc WHERE nc.id = 1),
  (SELECT nb.timestamp FROM blocks nb ORDER BY nb.number DESC LIMIT 1))`;

/** The columns locating the event a row comes from. */
export function traceColumns(alias: string, what: string): Column[] {
  return [
    {
      field: "blockNumber",
      sql: `${alias}.block_number`,
      kind: "uint64",
      filter: true,
      description: `Block of the ${what}.`,
    },
    {
      field: "logIndex",
      sql: `${alias}.log_index`,
      kind: "int",
      description: `Log index of the ${what} within its block.`,
    },
    {
      field: "txHash",
      sql: `${alias}.tx_hash`,
      kind: "text",
      description: `Transaction of the ${what}.`,
    },
  ];
}

/**
 * A connection field of a row inside a list, read for all rows of the list at once (one
 * LATERAL query per tick, not one per row).
 */
export function nested(
  name: string,
  entity: Entity,
  keyField: string,
  condition: (key: string) => string,
  cast = "numeric",
) {
  return (parent: Row, args: PageArgs, context: ApiContext) =>
    context
      .loader(pageLoaderKey(name, args), () =>
        createPageLoader(context.db, entity, args, context.limits, { cast, condition }),
      )
      .load(String(parent[keyField]));
}

/** A row another row references; missing means a broken database, not a client error. */
export async function required(row: Promise<Row | null>, what: string): Promise<Row> {
  const found = await row;
  if (!found) throw new Error(`${what} is missing from the database`);
  return found;
}

/**
 * The live feed of an event entity: its rows indexed in blocks `(fromBlock, toBlock]`, in chain
 * order (the entity's table has `block_number` and `log_index`).
 */
export function eventFeed(name: string, entity: Entity): LiveFeed {
  const at = entity.alias;
  return {
    name,
    fetch: (db, fromBlock, toBlock) =>
      db.query<Row>(
        `SELECT ${selectColumns(entity)} FROM ${entity.from}
         WHERE ${at}.block_number > $1::int8 AND ${at}.block_number <= $2::int8
         ORDER BY ${at}.block_number, ${at}.log_index`,
        [fromBlock, toBlock],
      ),
  };
}

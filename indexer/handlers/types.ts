import type pg from "pg";
import type { AbiEvent } from "viem";
import { insertRows, type BulkColumn } from "../db/bulk";
import type { DecodedLog, DecodedValue } from "../sync/decode";

/**
 * What a contract's handler does with its events. The engine calls both methods inside the
 * transaction that also moves the checkpoint.
 *
 * Current-state tables are never patched incrementally: they are recomputed, per touched key,
 * from the event tables. `apply` writes the batch's event rows and recomputes the keys they
 * touch; `rollback` deletes the event rows above the common ancestor and recomputes the keys
 * those rows touched. The same SQL therefore builds the state forwards and after a reorg.
 */
export interface Handler {
  /** Name of the contract in the deployment file. */
  contract: string;
  events: readonly AbiEvent[];
  /** `logs` are this contract's logs of one batch, in chain order. */
  apply(client: pg.PoolClient, logs: readonly DecodedLog[]): Promise<void>;
  /** Removes everything above block `ancestor` and restores the state as of that block. */
  rollback(client: pg.PoolClient, ancestor: bigint): Promise<void>;
  /**
   * Contracts this one creates (a factory's clones), indexed from the address an event of
   * this contract names. Their logs reach `apply` together with this contract's own, in
   * chain order, with `DecodedLog.contract` set to `children.contract`.
   */
  children?: ChildContracts;
}

/**
 * A factory's children, discovered from the factory's own events (like Ponder's factory
 * option). Within a sync step the engine first fetches the static contracts' logs, adds
 * the addresses that `event` names in `addressArg`, then fetches every known child's logs
 * for the same block range in one request.
 */
export interface ChildContracts {
  /** The factory event that announces a child, e.g. `CoinLaunched`. */
  event: string;
  /** The argument of `event` that holds the child's address. */
  addressArg: string;
  /** The events the children emit. */
  events: readonly AbiEvent[];
  /** The name `DecodedLog.contract` carries for a child's logs (not in the deployment file). */
  contract: string;
  /**
   * The children known to the database, lowercase: the engine calls it at start-up and after
   * every rollback, so it must read what `apply` wrote for `event` (the block range already
   * committed, nothing more).
   */
  load(db: pg.Pool | pg.PoolClient): Promise<string[]>;
}

/** The share of a handler that covers one interface a contract implements. */
export type HandlerPart = Omit<Handler, "contract">;

/** One handler for a contract built from the parts of the interfaces it implements. */
export function combineParts(contract: string, parts: readonly HandlerPart[]): Handler {
  return {
    contract,
    events: parts.flatMap((part) => part.events),
    async apply(client, logs) {
      for (const part of parts) {
        const names = new Set(part.events.map((event) => event.name));
        const own = logs.filter((log) => names.has(log.event));
        if (own.length > 0) await part.apply(client, own);
      }
    },
    async rollback(client, ancestor) {
      for (const part of [...parts].reverse()) await part.rollback(client, ancestor);
    },
  };
}

/** An append-only table with one row per event, keyed by (block_number, log_index). */
export interface EventTable {
  table: string;
  event: string;
  columns: readonly BulkColumn<DecodedLog>[];
}

/** The columns every event row has: where on chain it comes from. */
export const TRACE_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  { name: "block_number", type: "bigint", value: (log) => log.blockNumber },
  { name: "log_index", type: "integer", value: (log) => log.logIndex },
  { name: "tx_hash", type: "text", value: (log) => log.txHash },
];

/** A numeric(78,0) column read from the uint argument `argument` of each log. */
export function uintColumn(name: string, argument: string): BulkColumn<DecodedLog> {
  return { name, type: "numeric", value: (log) => uintArg(log, argument) };
}

/**
 * A text column read from the address, bytes or bytesN argument `argument` of each log (hex).
 * A `string` argument takes two columns: `stringColumns` (rows.ts).
 */
export function textColumn(name: string, argument: string): BulkColumn<DecodedLog> {
  return { name, type: "text", value: (log) => textArg(log, argument) };
}

export function arg(log: DecodedLog, name: string): DecodedValue {
  const value = log.args[name];
  if (value === undefined) throw new Error(`${log.event} has no argument ${name}`);
  return value;
}

export function uintArg(log: DecodedLog, name: string): bigint {
  return arg(log, name) as bigint;
}

/** An address, bytes or bytesN argument: lowercase hex. */
export function textArg(log: DecodedLog, name: string): string {
  const value = arg(log, name);
  if (typeof value !== "string") {
    throw new Error(
      `${log.event}.${name} is not hex: read a string argument with stringColumns or stringArg`,
    );
  }
  return value;
}

/** Inserts each log into the table of its event. */
export async function insertEvents(
  client: pg.PoolClient,
  tables: readonly EventTable[],
  logs: readonly DecodedLog[],
): Promise<void> {
  for (const table of tables) {
    const rows = logs.filter((log) => log.event === table.event);
    await insertRows(client, table.table, [...TRACE_COLUMNS, ...table.columns], rows);
  }
}

/** Deletes the event rows above `ancestor` and returns the named key columns of those rows. */
export async function deleteEventsAbove<Row extends Record<string, string | null>>(
  client: pg.PoolClient,
  table: string,
  ancestor: bigint,
  keys: readonly string[],
): Promise<Row[]> {
  const result = await client.query<Row>(
    `DELETE FROM "${table}" WHERE block_number > $1 RETURNING ${keys.map((k) => `"${k}"::text AS "${k}"`).join(", ")}`,
    [ancestor.toString()],
  );
  return result.rows;
}

export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

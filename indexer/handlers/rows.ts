import type pg from "pg";
import { MAX_STATEMENT_BYTES, rangesBySize, type BulkColumn } from "../db/bulk";
import { DecodedString, type DecodedLog } from "../sync/decode";
import { arg } from "./types";

/** A column of a JSON-carried insert: its Postgres type may be an array type (`text[]`). */
export interface JsonColumn<Row> {
  name: string;
  type: string;
  value: (row: Row) => unknown;
}

function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  // bytea's text input: `\x` and hex digits.
  if (Buffer.isBuffer(value)) return "\\x" + value.toString("hex");
  if (Array.isArray(value)) return value.map(toJson);
  return value;
}

/**
 * Inserts many rows with one statement, carrying them as one JSON array: the set-based insert
 * for tables with array columns, which `unnest` cannot carry (it flattens arrays of arrays).
 * Bigints travel as decimal strings, bytes as bytea's `\x` hex. Rows already present (same
 * primary key) are skipped. Like insertRows, rows whose JSON exceeds `maxBytes` go in several
 * statements.
 */
export async function insertJsonRows<Row>(
  client: pg.PoolClient,
  table: string,
  columns: readonly JsonColumn<Row>[],
  rows: readonly Row[],
  maxBytes = MAX_STATEMENT_BYTES,
): Promise<void> {
  if (rows.length === 0) return;
  const payload = rows.map((row) =>
    JSON.stringify(
      Object.fromEntries(columns.map((column) => [column.name, toJson(column.value(row))])),
    ),
  );
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const types = columns.map((column) => `"${column.name}" ${column.type}`).join(", ");
  const sizes = payload.map((json) => json.length);
  for (const [start, end] of rangesBySize(sizes, maxBytes)) {
    await client.query(
      `INSERT INTO "${table}" (${names})
       SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS r(${types}) ON CONFLICT DO NOTHING`,
      [`[${payload.slice(start, end).join(",")}]`],
    );
  }
}

/** Deletes the rows of an append-only event table above block `ancestor`. */
export async function deleteRowsAbove(
  client: pg.PoolClient,
  table: string,
  ancestor: bigint,
): Promise<void> {
  await client.query(`DELETE FROM "${table}" WHERE block_number > $1`, [ancestor.toString()]);
}

/** The `string` argument `name` of a log: its display text and, when they differ, its bytes. */
export function stringArg(log: DecodedLog, name: string): DecodedString {
  const value = arg(log, name);
  if (!(value instanceof DecodedString)) {
    throw new Error(`${log.event}.${name} is not a string argument`);
  }
  return value;
}

/**
 * The two columns that store the `string` argument `argument`, the one rule for every string an
 * event carries (docs/indexer.md, "Strings"): `name` (text) holds its display text, always
 * valid UTF-8 without NUL and at most 64 KiB; `name_bytes` (bytea) its exact bytes when the
 * text is not their exact UTF-8, else null. A table stores a string field with
 * `...stringColumns("message", "message")`.
 */
export function stringColumns(
  name: string,
  argument: string,
): [BulkColumn<DecodedLog>, BulkColumn<DecodedLog>] {
  return [
    { name, type: "text", value: (log) => stringArg(log, argument).text },
    { name: `${name}_bytes`, type: "bytea", value: (log) => stringArg(log, argument).bytes },
  ];
}

/**
 * The columns of a `string[]` argument, for insertJsonRows: `name` (text[]) the display texts,
 * `name_bytes` (bytea[]) per element its bytes or null as in stringColumns, and null as a whole
 * when no element needs them.
 */
export function stringListColumns(
  name: string,
  argument: string,
): [JsonColumn<DecodedLog>, JsonColumn<DecodedLog>] {
  const list = (log: DecodedLog) => {
    const value = arg(log, argument);
    if (!Array.isArray(value) || !value.every((item) => item instanceof DecodedString)) {
      throw new Error(`${log.event}.${argument} is not a string[] argument`);
    }
    return value as readonly DecodedString[];
  };
  return [
    { name, type: "text[]", value: (log) => list(log).map((item) => item.text) },
    {
      name: `${name}_bytes`,
      type: "bytea[]",
      value: (log) => {
        const items = list(log);
        return items.every((item) => item.bytes === null) ? null : items.map((item) => item.bytes);
      },
    },
  ];
}

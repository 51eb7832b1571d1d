import type pg from "pg";

/** A column of a JSON-carried insert: its Postgres type may be an array type (`text[]`). */
export interface JsonColumn<Row> {
  name: string;
  type: string;
  value: (row: Row) => unknown;
}

function toJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJson);
  return value;
}

/**
 * Inserts many rows with one statement, carrying them as one JSON array: the set-based insert
 * for tables with array columns, which `unnest` cannot carry (it flattens arrays of arrays).
 * Bigints travel as decimal strings. Rows already present (same primary key) are skipped.
 */
export async function insertJsonRows<Row>(
  client: pg.PoolClient,
  table: string,
  columns: readonly JsonColumn<Row>[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const payload = rows.map((row) =>
    Object.fromEntries(columns.map((column) => [column.name, toJson(column.value(row))])),
  );
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const types = columns.map((column) => `"${column.name}" ${column.type}`).join(", ");
  await client.query(
    `INSERT INTO "${table}" (${names})
     SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS r(${types}) ON CONFLICT DO NOTHING`,
    [JSON.stringify(payload)],
  );
}

/** Deletes the rows of an append-only event table above block `ancestor`. */
export async function deleteRowsAbove(
  client: pg.PoolClient,
  table: string,
  ancestor: bigint,
): Promise<void> {
  await client.query(`DELETE FROM "${table}" WHERE block_number > $1`, [ancestor.toString()]);
}

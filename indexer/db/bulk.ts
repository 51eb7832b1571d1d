import type pg from "pg";

/** A column of a set-based insert and the Postgres array type its values travel as. */
export interface BulkColumn<Row> {
  name: string;
  type: "numeric" | "bigint" | "integer" | "text" | "boolean" | "bytea";
  value: (row: Row) => string | number | boolean | bigint | Buffer | null;
}

/**
 * Most bytes of values one statement carries. A set-based insert has one bind parameter per
 * column whatever the number of rows, but Postgres refuses a parameter over 1 GB and the
 * statement is built in memory, so a batch of megabyte strings (an event's strings are
 * anyone's bytes) is written in several statements of about this size.
 */
export const MAX_STATEMENT_BYTES = 32 * 1024 * 1024;

/** About the bytes a value takes in a statement: strings by length, bytea as hex. */
function sizeOf(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Buffer.isBuffer(value)) return 2 * value.length;
  return 8;
}

/**
 * Row ranges `[start, end)` whose values take at most `maxBytes` each (a larger single row is
 * a range of its own), given each row's size. Usually one range: every row.
 */
export function rangesBySize(sizes: readonly number[], maxBytes: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  sizes.forEach((size, i) => {
    if (i > start && bytes + size > maxBytes) {
      ranges.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  });
  ranges.push([start, sizes.length]);
  return ranges;
}

/**
 * Inserts many rows with one statement and one bind parameter per column:
 * `INSERT ... SELECT * FROM unnest($1::t1[], $2::t2[], ...)`, split into several statements
 * only when the values exceed `maxBytes` (MAX_STATEMENT_BYTES). Rows already present (same
 * primary key, i.e. the same event) are skipped, so writing a range twice cannot double it.
 */
export async function insertRows<Row>(
  client: pg.PoolClient,
  table: string,
  columns: readonly BulkColumn<Row>[],
  rows: readonly Row[],
  maxBytes = MAX_STATEMENT_BYTES,
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((column) =>
    rows.map((row) => {
      const value = column.value(row);
      return typeof value === "bigint" ? value.toString() : value;
    }),
  );
  const sizes = rows.map((_, i) => arrays.reduce((sum, values) => sum + sizeOf(values[i]), 0));
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const unnest = columns.map((column, i) => `$${i + 1}::${column.type}[]`).join(", ");
  for (const [start, end] of rangesBySize(sizes, maxBytes)) {
    await client.query(
      `INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest}) ON CONFLICT DO NOTHING`,
      end - start === rows.length ? arrays : arrays.map((values) => values.slice(start, end)),
    );
  }
}

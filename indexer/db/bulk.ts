import type pg from "pg";

/** A column of a set-based insert and the Postgres array type its values travel as. */
export interface BulkColumn<Row> {
  name: string;
  type: "numeric" | "bigint" | "integer" | "text" | "boolean";
  value: (row: Row) => string | number | boolean | bigint | null;
}

/**
 * Inserts many rows with one statement and one bind parameter per column:
 * `INSERT ... SELECT * FROM unnest($1::t1[], $2::t2[], ...)`. Rows already present (same
 * primary key, i.e. the same event) are skipped, so writing a range twice cannot double it.
 */
export async function insertRows<Row>(
  client: pg.PoolClient,
  table: string,
  columns: readonly BulkColumn<Row>[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((column) =>
    rows.map((row) => {
      const value = column.value(row);
      return typeof value === "bigint" ? value.toString() : value;
    }),
  );
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const unnest = columns.map((column, i) => `$${i + 1}::${column.type}[]`).join(", ");
  await client.query(
    `INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest}) ON CONFLICT DO NOTHING`,
    arrays,
  );
}

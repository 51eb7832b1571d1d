import DataLoader from "dataloader";
import type { ApiContext } from "./context";
import type { Row } from "./entity";
import { ErrorCode, userError } from "./errors";

/**
 * Strings that events carry are anyone's bytes (docs/indexer.md, "Strings"). A GraphQL String
 * cannot carry invalid UTF-8, so the field of such a string (`message`) serves its display
 * text, and a sibling field (`messageBytes`) the exact bytes on chain as 0x-hex. The bytes are
 * read only when asked for, and a request reads at most `maxRawBytes` of them: a page of
 * megabyte strings costs nothing unless its bytes are requested, and then is refused by name.
 */

/** Default of `PageLimits.maxRawBytes`: 8 MiB of exact bytes per request. */
export const MAX_RAW_BYTES = 8 * 1024 * 1024;

/** How a row of an entity is found again: the table, and the entity's fields holding its key. */
export interface RowKey {
  table: string;
  columns: readonly { field: string; column: string; cast: string }[];
}

/** The key of an event table's rows: block number and log index. */
export function eventRowKey(table: string): RowKey {
  return {
    table,
    columns: [
      { field: "blockNumber", column: "block_number", cast: "int8" },
      { field: "logIndex", column: "log_index", cast: "int4" },
    ],
  };
}

/** A string of the entity: its display text's field and column (the bytes are `<column>_bytes`). */
export interface ChainString {
  /** GraphQL field of the display text, e.g. `message`; the bytes are served as `messageBytes`. */
  field: string;
  column: string;
  /** A `string[]`: text[] and bytea[] columns, served as a list of hex strings. */
  list?: boolean;
}

/** SQL of the exact bytes of `t.<column>` (one bytea, or a bytea[] for a list). */
function rawSql({ column, list }: ChainString): { raw: string; size: string } {
  if (!list) {
    const raw = `coalesce(t."${column}_bytes", convert_to(t."${column}", 'UTF8'))`;
    return { raw, size: `octet_length(${raw})` };
  }
  const elements = `unnest(t."${column}", t."${column}_bytes") WITH ORDINALITY AS u(s, b, i)`;
  const element = `coalesce(u.b, convert_to(u.s, 'UTF8'))`;
  return {
    raw: `ARRAY(SELECT ${element} FROM ${elements} ORDER BY u.i)`,
    size: `(SELECT coalesce(sum(octet_length(${element})), 0) FROM ${elements})`,
  };
}

const hex = (bytes: Buffer) => "0x" + bytes.toString("hex");

/**
 * Loads the exact bytes of one string column for the rows of a tick: one query for their sizes,
 * then one for the bytes of those that fit in what is left of the request's budget; the others
 * answer TOO_MANY_ITEMS.
 */
function createBytesLoader(
  context: ApiContext,
  key: RowKey,
  string: ChainString,
): DataLoader<string, string | string[]> {
  const budget = context.loader("chainStrings:budget", () => ({
    left: context.limits.maxRawBytes ?? MAX_RAW_BYTES,
  }));
  const { raw, size } = rawSql(string);
  const keyNames = key.columns.map((_, i) => `k${i}`);
  const from = `unnest(${key.columns.map((c, i) => `$${i + 1}::${c.cast}[]`).join(", ")})
      WITH ORDINALITY AS k(${keyNames.join(", ")}, n)
    JOIN "${key.table}" t ON ${key.columns.map((c, i) => `t."${c.column}" = k.${keyNames[i]}`).join(" AND ")}`;
  const paramsOf = (ids: readonly string[]) => {
    const tuples = ids.map((id) => JSON.parse(id) as unknown[]);
    return key.columns.map((_, i) => tuples.map((tuple) => tuple[i]));
  };
  return new DataLoader(async (ids) => {
    const sizes = await context.db.query<{ n: string; size: string }>(
      `SELECT k.n::int8::text AS n, ${size}::int8::text AS size FROM ${from}`,
      paramsOf(ids),
    );
    const sizeOf = new Map(sizes.map((row) => [Number(row.n) - 1, Number(row.size)]));
    const admitted: number[] = [];
    const results: (string | string[] | Error)[] = ids.map((_, i) => {
      const bytes = sizeOf.get(i);
      if (bytes === undefined) return new Error(`${key.table}: row ${ids[i]} is missing`);
      if (bytes > budget.left) {
        const limit = context.limits.maxRawBytes ?? MAX_RAW_BYTES;
        return userError(
          ErrorCode.TooManyItems,
          `${string.field}Bytes: the exact bytes asked for in this request exceed ${limit} bytes; ask for fewer items`,
        );
      }
      budget.left -= bytes;
      admitted.push(i);
      return new Error(`${key.table}: row ${ids[i]} vanished while its bytes were read`);
    });
    if (admitted.length > 0) {
      const rows = await context.db.query<{ n: string; raw: Buffer | Buffer[] }>(
        `SELECT k.n::int8::text AS n, ${raw} AS raw FROM ${from}`,
        paramsOf(admitted.map((i) => ids[i])),
      );
      for (const row of rows) {
        const i = admitted[Number(row.n) - 1];
        results[i] = Array.isArray(row.raw) ? row.raw.map(hex) : hex(row.raw);
      }
    }
    return results;
  });
}

/**
 * The `<field>Bytes` fields of an entity's strings: SDL extending `typeName`, and their
 * resolvers to spread into the type's resolvers. An entity with strings adopts them with
 * `chainStrings("Tip", eventRowKey("tips"), [{ field: "message", column: "message" }])`.
 */
export function chainStrings(
  typeName: string,
  key: RowKey,
  strings: readonly ChainString[],
): {
  typeDefs: string;
  resolvers: Record<string, (row: Row, args: unknown, context: ApiContext) => Promise<unknown>>;
} {
  const fields = strings.map(
    (string) => `  ${JSON.stringify(
      `The exact bytes of ${string.field} on chain, 0x-hex${string.list ? ", per element" : ""}: ${string.field} is their display text (invalid UTF-8 and NUL as U+FFFD, at most 64 KiB). Read only when asked for; at most the request's byte budget (TOO_MANY_ITEMS beyond).`,
    )}
  ${string.field}Bytes: ${string.list ? "[String!]!" : "String!"}`,
  );
  const resolvers = Object.fromEntries(
    strings.map((string) => [
      `${string.field}Bytes`,
      (row: Row, _args: unknown, context: ApiContext) =>
        context
          .loader(`chainStrings:${key.table}.${string.column}`, () =>
            createBytesLoader(context, key, string),
          )
          .load(JSON.stringify(key.columns.map((column) => row[column.field]))),
    ]),
  );
  return { typeDefs: `extend type ${typeName} {\n${fields.join("\n")}\n}`, resolvers };
}

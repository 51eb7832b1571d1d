import DataLoader from "dataloader";
import type { Db } from "./database";
import { ErrorCode, userError } from "./errors";

/**
 * How a column travels: its GraphQL type and the Postgres type its parameters are cast to
 * (cast to the column's own type, so comparisons keep using its indexes).
 */
const KINDS = {
  /** numeric(78,0): uint256 ids and amounts. */
  uint256: { graphql: "BigInt", sql: "numeric", ordered: true },
  /** bigint: block numbers, timestamps. */
  uint64: { graphql: "BigInt", sql: "int8", ordered: true },
  int: { graphql: "Int", sql: "int4", ordered: true },
  text: { graphql: "String", sql: "text", ordered: true },
  address: { graphql: "Address", sql: "text", ordered: false },
  boolean: { graphql: "Boolean", sql: "bool", ordered: false },
  /** Arrays: read as a whole, never filtered or ordered on. */
  addresses: { graphql: "[Address!]", sql: "text[]", ordered: false },
  uint256s: { graphql: "[BigInt!]", sql: "numeric[]", ordered: false },
  texts: { graphql: "[String!]", sql: "text[]", ordered: false },
  ints: { graphql: "[Int!]", sql: "int4[]", ordered: false },
} as const;

export type ColumnKind = keyof typeof KINDS;

/** A field of an entity read straight from a SQL expression. */
export interface Column {
  /** GraphQL field name, also the alias of the SQL expression. */
  field: string;
  /** SQL expression over the entity's table alias. */
  sql: string;
  kind: ColumnKind;
  /** Whether the value may be null. */
  nullable?: boolean;
  description: string;
  /** Whether the entity's filter input offers operators on it. */
  filter?: boolean;
}

/** A sort order; `keys` must identify a row uniquely, which keyset pagination needs. */
export interface Ordering {
  name: string;
  description: string;
  /** Field names of non-null columns, most significant first. */
  keys: readonly string[];
}

/** A table (or join) exposed as a GraphQL type with filters, orderings and a connection. */
export interface Entity {
  /** GraphQL type name; the generated inputs are `<name>Filter`, `<name>OrderBy`, `<name>Connection`. */
  name: string;
  description: string;
  /** FROM clause naming the table with `alias`. */
  from: string;
  alias: string;
  columns: readonly Column[];
  orderings: readonly Ordering[];
  defaultOrdering: string;
  defaultDirection: "asc" | "desc";
}

export type Row = Record<string, unknown>;
export type Filter = { [key: string]: unknown; AND?: Filter[] | null; OR?: Filter[] | null };

export interface PageArgs {
  where?: Filter | null;
  orderBy?: string | null;
  orderDirection?: "asc" | "desc" | null;
  first?: number | null;
  after?: string | null;
}

export interface Connection {
  /** Rows matching, where a kept count gives it cheaply; null elsewhere. */
  totalCount?: number | null;
  edges: { cursor: string; node: Row }[];
  nodes: Row[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export interface PageLimits {
  defaultPageSize: number;
  maxPageSize: number;
  /** Most exact bytes of event strings one request may read (strings.ts; default 8 MiB). */
  maxRawBytes?: number;
}

/** Largest `_in` list a filter accepts. */
const MAX_IN_VALUES = 1000;

type Operator = "eq" | "not" | "in" | "not_in" | "gt" | "gte" | "lt" | "lte" | "starts_with";

function operatorsOf(kind: ColumnKind): Operator[] {
  const base: Operator[] = kind === "boolean" ? ["eq", "not"] : ["eq", "not", "in", "not_in"];
  if (KINDS[kind].ordered) base.push("gt", "gte", "lt", "lte");
  if (kind === "text") base.push("starts_with");
  return base;
}

const OPERATOR_DOCS: Record<Operator, string> = {
  eq: "equals the value (null: has no value)",
  not: "differs from the value (null: has a value)",
  in: `is one of the values (at most ${MAX_IN_VALUES})`,
  not_in: `is none of the values (at most ${MAX_IN_VALUES})`,
  gt: "is greater than the value",
  gte: "is greater than or equal to the value",
  lt: "is less than the value",
  lte: "is less than or equal to the value",
  starts_with: "starts with the value",
};

const filterKey = (field: string, op: Operator) => (op === "eq" ? field : `${field}_${op}`);

/** SDL of the entity's object type, filter input, ordering enum and connection types. */
export function entityTypeDefs(entity: Entity): string {
  const fields = entity.columns
    .map(
      (c) =>
        `  ${JSON.stringify(c.description)}\n  ${c.field}: ${KINDS[c.kind].graphql}${c.nullable ? "" : "!"}`,
    )
    .join("\n");
  const filters = entity.columns
    .filter((c) => c.filter)
    .flatMap((c) =>
      operatorsOf(c.kind).map((op) => {
        const type = KINDS[c.kind].graphql;
        const gqlType =
          op === "in" || op === "not_in" ? `[${type}!]` : op === "starts_with" ? "String" : type;
        return `  ${JSON.stringify(`${c.field} ${OPERATOR_DOCS[op]}.`)}\n  ${filterKey(c.field, op)}: ${gqlType}`;
      }),
    )
    .join("\n");
  const orderings = entity.orderings
    .map((o) => `  ${JSON.stringify(o.description)}\n  ${o.name}`)
    .join("\n");
  const n = entity.name;
  return /* GraphQL */ `
"""
${entity.description}
"""
type ${n} {
${fields}
}

"""
Conditions on ${n} rows; all given conditions must hold. AND and OR combine nested filters.
"""
input ${n}Filter {
${filters}
  "Every one of these filters holds."
  AND: [${n}Filter!]
  "At least one of these filters holds."
  OR: [${n}Filter!]
}

"""
Orderings of ${n} rows; each one is total (ties broken by the event position or id).
"""
enum ${n}OrderBy {
${orderings}
}

"""
A page of ${n} rows, read forwards with first and after.
"""
type ${n}Connection {
  "The rows of the page, each with its cursor."
  edges: [${n}Edge!]!
  "The rows of the page, without cursors."
  nodes: [${n}!]!
  "Cursors and whether another page follows."
  pageInfo: PageInfo!
  """
  How many rows match, where a kept count gives it without a scan (a profile's posts,
  followers and following without a filter; a coin's holdings without a filter); null elsewhere.
  """
  totalCount: Int
}

"""
A ${n} row and the cursor that points at it.
"""
type ${n}Edge {
  "Pass as after to read the rows that follow this one."
  cursor: String!
  "The row."
  node: ${n}!
}
`;
}

/** Arguments of a field that returns a connection of `entity`, with their descriptions. */
export function connectionArgs(entity: Entity, limits: PageLimits): string {
  return `(
    "Only rows matching this filter."
    where: ${entity.name}Filter
    "Sort key."
    orderBy: ${entity.name}OrderBy = ${entity.defaultOrdering}
    "Sort direction."
    orderDirection: OrderDirection = ${entity.defaultDirection}
    "Page size: at most ${limits.maxPageSize}."
    first: Int = ${limits.defaultPageSize}
    "Cursor of the last row already read (endCursor of the previous page)."
    after: String
  )`;
}

/** Bind parameters of one statement. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

function escapeLike(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Deepest nesting of AND/OR a filter accepts. */
const MAX_FILTER_NESTING = 4;

function filterSql(entity: Entity, filter: Filter, params: Params, nesting = 0): string[] {
  if (nesting > MAX_FILTER_NESTING) {
    throw userError(
      ErrorCode.BadUserInput,
      `filters nest AND/OR at most ${MAX_FILTER_NESTING} levels deep`,
    );
  }
  const conditions: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === "AND" || key === "OR") {
      const parts = (value as Filter[] | null) ?? [];
      if (parts.length === 0) continue;
      const joined = parts.map(
        (part) => `(${filterSql(entity, part, params, nesting + 1).join(" AND ") || "true"})`,
      );
      conditions.push(`(${joined.join(key === "AND" ? " AND " : " OR ")})`);
      continue;
    }
    const [column, op] = resolveFilterKey(entity, key);
    const cast = KINDS[column.kind].sql;
    const sql = column.sql;
    if (value === null) {
      if (op === "eq") conditions.push(`${sql} IS NULL`);
      else if (op === "not") conditions.push(`${sql} IS NOT NULL`);
      else throw userError(ErrorCode.BadUserInput, `filter ${key} takes a value, not null`);
      continue;
    }
    switch (op) {
      case "eq":
        conditions.push(`${sql} = ${params.add(value, cast)}`);
        break;
      case "not":
        conditions.push(`${sql} IS DISTINCT FROM ${params.add(value, cast)}`);
        break;
      case "in":
      case "not_in": {
        const list = value as unknown[];
        if (list.length > MAX_IN_VALUES) {
          throw userError(
            ErrorCode.TooManyItems,
            `filter ${key} lists ${list.length} values but takes at most ${MAX_IN_VALUES}`,
          );
        }
        const ref = params.add(list, `${cast}[]`);
        conditions.push(op === "in" ? `${sql} = ANY(${ref})` : `NOT (${sql} = ANY(${ref}))`);
        break;
      }
      case "starts_with":
        conditions.push(`${sql} LIKE ${params.add(escapeLike(value as string) + "%", "text")}`);
        break;
      default: {
        const comparison = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[op];
        conditions.push(`${sql} ${comparison} ${params.add(value, cast)}`);
      }
    }
  }
  return conditions;
}

function resolveFilterKey(entity: Entity, key: string): [Column, Operator] {
  for (const column of entity.columns) {
    if (!column.filter) continue;
    for (const op of operatorsOf(column.kind)) {
      if (filterKey(column.field, op) === key) return [column, op];
    }
  }
  // The schema only lets declared keys through; reaching here means the SDL and the entity disagree.
  throw new Error(`${entity.name}Filter has no key ${key}`);
}

interface CursorContent {
  /** Ordering name. */
  o: string;
  /** Direction. */
  d: "asc" | "desc";
  /** Values of the ordering's keys in the row the cursor points at. */
  k: (string | number | boolean)[];
}

export function encodeCursor(content: CursorContent): string {
  return Buffer.from(JSON.stringify(content)).toString("base64url");
}

/** Longest cursor accepted: keys are numbers, addresses and handles (display texts of at most 64 KiB). */
const MAX_CURSOR_LENGTH = 100_000;

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** Whether `value` can be a key of `column` in a cursor: what Postgres' cast would accept. */
function validKey(column: Column, value: unknown): boolean {
  switch (column.kind) {
    case "uint256":
    case "uint64":
    case "int": {
      const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof text !== "string" || text.length > 80 || !INTEGER.test(text)) return false;
      const bound =
        column.kind === "uint256" ? 1n << 256n : column.kind === "uint64" ? 1n << 63n : 1n << 31n;
      const n = BigInt(text);
      return n < bound && n >= -bound;
    }
    case "address":
      return typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value);
    case "boolean":
      return typeof value === "boolean";
    case "text":
      return typeof value === "string" && !value.includes("\u0000");
    default:
      return false;
  }
}

function decodeCursor(
  cursor: string,
  ordering: Ordering,
  direction: "asc" | "desc",
  keys: readonly Column[],
): CursorContent {
  const malformed = () =>
    userError(
      ErrorCode.BadCursor,
      `after: ${JSON.stringify(cursor.slice(0, 200))}${cursor.length > 200 ? "..." : ""} is not a cursor this API issued`,
    );
  if (cursor.length > MAX_CURSOR_LENGTH) throw malformed();
  let content: CursorContent;
  try {
    content = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorContent;
  } catch {
    throw malformed();
  }
  if (typeof content !== "object" || content === null || typeof content.o !== "string")
    throw malformed();
  if (content.o !== ordering.name || content.d !== direction) {
    throw userError(
      ErrorCode.BadCursor,
      `after: the cursor was issued for orderBy ${content.o.slice(0, 100)} ${String(content.d).slice(0, 20)}, not ${ordering.name} ${direction}; ask with the same ordering`,
    );
  }
  if (
    !Array.isArray(content.k) ||
    content.k.length !== keys.length ||
    !content.k.every((value, i) => validKey(keys[i], value))
  ) {
    throw malformed();
  }
  return content;
}

export interface PlannedPage {
  ordering: Ordering;
  direction: "asc" | "desc";
  first: number;
  after: string | null;
}

export function plan(entity: Entity, args: PageArgs, limits: PageLimits): PlannedPage {
  const first = args.first ?? limits.defaultPageSize;
  if (!Number.isInteger(first) || first < 0) {
    throw userError(ErrorCode.BadUserInput, `first must be a non-negative integer, got ${first}`);
  }
  if (first > limits.maxPageSize) {
    throw userError(
      ErrorCode.TooManyItems,
      `first is ${first} but at most ${limits.maxPageSize} items can be asked for at once; read further pages with after`,
    );
  }
  const ordering = entity.orderings.find(
    (o) => o.name === (args.orderBy ?? entity.defaultOrdering),
  );
  if (!ordering) throw new Error(`${entity.name} has no ordering ${args.orderBy}`);
  return {
    ordering,
    direction: args.orderDirection ?? entity.defaultDirection,
    first,
    after: args.after ?? null,
  };
}

/** Select lists by the columns they list: entities are constants (or copies sharing columns). */
const selectLists = new WeakMap<readonly Column[], string>();

function selectSql(entity: Entity): string {
  let list = selectLists.get(entity.columns);
  if (list === undefined) {
    list = entity.columns.map((c) => `${c.sql} AS "${c.field}"`).join(", ");
    selectLists.set(entity.columns, list);
  }
  return list;
}

export function keyColumns(entity: Entity, ordering: Ordering): Column[] {
  return ordering.keys.map((key) => {
    const column = entity.columns.find((c) => c.field === key);
    if (!column) throw new Error(`${entity.name}.${ordering.name} orders by unknown field ${key}`);
    return column;
  });
}

/** WHERE conditions and ORDER BY of one page, with its parameters appended to `params`. */
export function pageSql(entity: Entity, args: PageArgs, page: PlannedPage, params: Params) {
  const conditions = args.where ? filterSql(entity, args.where, params) : [];
  const keys = keyColumns(entity, page.ordering);
  const dir = page.direction === "asc" ? "ASC" : "DESC";
  if (page.after !== null) {
    const cursor = decodeCursor(page.after, page.ordering, page.direction, keys);
    const refs = keys.map((c, i) => params.add(cursor.k[i], KINDS[c.kind].sql));
    const op = page.direction === "asc" ? ">" : "<";
    conditions.push(`(${keys.map((c) => c.sql).join(", ")}) ${op} (${refs.join(", ")})`);
  }
  const orderBy = keys.map((c) => `${c.sql} ${dir}`).join(", ");
  return { conditions, orderBy };
}

export function toConnection(rows: Row[], page: PlannedPage): Connection {
  const more = rows.length > page.first;
  const nodes = more ? rows.slice(0, page.first) : rows;
  const cursorOf = (node: Row) =>
    encodeCursor({
      o: page.ordering.name,
      d: page.direction,
      k: page.ordering.keys.map((k) => node[k] as string | number),
    });
  return {
    // A cursor per row only for a client that asks for edges: most read nodes and endCursor.
    get edges() {
      return nodes.map((node) => ({ cursor: cursorOf(node), node }));
    },
    nodes,
    // Cursors only when asked for: a page reads endCursor, rarely startCursor.
    pageInfo: {
      hasNextPage: more,
      hasPreviousPage: page.after !== null,
      get startCursor() {
        return nodes.length > 0 ? cursorOf(nodes[0]) : null;
      },
      get endCursor() {
        return nodes.length > 0 ? cursorOf(nodes[nodes.length - 1]) : null;
      },
    },
  };
}

/**
 * One page of `entity`. `scope` adds a condition of the calling field (the author of a feed,
 * the followed profile of a follower list); its parameters go through `params.add`.
 */
export async function fetchPage(
  db: Db,
  entity: Entity,
  args: PageArgs,
  limits: PageLimits,
  scope?: (add: (value: unknown, cast: string) => string) => string,
): Promise<Connection> {
  const page = plan(entity, args, limits);
  const params = new Params();
  const scoped = scope ? [scope((value, cast) => params.add(value, cast))] : [];
  const { conditions, orderBy } = pageSql(entity, args, page, params);
  const where = [...scoped, ...conditions];
  const rows = await db.query<Row>(
    `SELECT ${selectSql(entity)} FROM ${entity.from}
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY ${orderBy} LIMIT ${page.first + 1}`,
    params.values,
  );
  return toConnection(rows, page);
}

/**
 * A loader of pages of `entity`, one per key, for a field inside a list (the replies of each
 * post of a page): all keys of one tick are read with a single LATERAL query, so a page of N
 * posts costs one query for all their replies, not N.
 *
 * `partition(keyRef)` is the condition tying a row to the key.
 */
export function createPageLoader(
  db: Db,
  entity: Entity,
  args: PageArgs,
  limits: PageLimits,
  partition: { cast: string; condition: (keyRef: string) => string },
): DataLoader<string, Connection> {
  const page = plan(entity, args, limits);
  return new DataLoader<string, Connection>(async (keys) => {
    const params = new Params();
    const keyArray = params.add(keys, `${partition.cast}[]`);
    const { conditions, orderBy } = pageSql(entity, args, page, params);
    const where = [partition.condition("k.key"), ...conditions];
    const rows = await db.query<Row & { __key: string }>(
      `SELECT k.key::text AS "__key", r.* FROM unnest(${keyArray}) AS k(key)
       CROSS JOIN LATERAL (
         SELECT ${selectSql(entity)} FROM ${entity.from}
         WHERE ${where.join(" AND ")}
         ORDER BY ${orderBy} LIMIT ${page.first + 1}
       ) r`,
      params.values,
    );
    const byKey = new Map<string, Row[]>(keys.map((key) => [key, []]));
    for (const { __key, ...row } of rows) byKey.get(__key)?.push(row);
    return keys.map((key) => toConnection(byKey.get(key) ?? [], page));
  });
}

/** Stable name for a loader of pages with these arguments, so equal fields share one. */
export function pageLoaderKey(name: string, args: PageArgs): string {
  return `${name}:${JSON.stringify([args.where ?? null, args.orderBy, args.orderDirection, args.first, args.after])}`;
}

/** Reads the rows of `entity` whose `column` is one of the keys; one query per tick. */
/** The statement of createRowLoader, built once per entity and column. */
const rowStatements = new WeakMap<Entity, Map<Column, string>>();

function rowSql(entity: Entity, column: Column): string {
  let byColumn = rowStatements.get(entity);
  if (!byColumn) rowStatements.set(entity, (byColumn = new Map()));
  let sql = byColumn.get(column);
  if (sql === undefined) {
    sql = `SELECT ${selectSql(entity)} FROM ${entity.from} WHERE ${column.sql} = ANY($1::${KINDS[column.kind].sql}[])`;
    byColumn.set(column, sql);
  }
  return sql;
}

export function createRowLoader(
  db: Db,
  entity: Entity,
  column: Column,
): DataLoader<string, Row | null> {
  const sql = rowSql(entity, column);
  return new DataLoader<string, Row | null>(async (keys) => {
    const rows = await db.query<Row>(sql, [keys]);
    const byKey = new Map(rows.map((row) => [String(row[column.field]), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** The SQL select list of an entity, for queries that read its rows by other means. */
export function selectColumns(entity: Entity): string {
  return selectSql(entity);
}

export function column(entity: Entity, field: string): Column {
  const found = entity.columns.find((c) => c.field === field);
  if (!found) throw new Error(`${entity.name} has no field ${field}`);
  return found;
}

/**
 * Rows of `entity` that match `args` and `scope` and lie within the span of `page` (from its
 * cursor to its last row, or to the end when no page follows), counted per value of
 * `groupSql`: for the rows a filter left out of that page, how many and why.
 */
export async function countInPageSpan(
  db: Db,
  entity: Entity,
  args: PageArgs,
  limits: PageLimits,
  page: Connection,
  scope: (add: (value: unknown, cast: string) => string) => string,
  groupSql: readonly string[],
): Promise<Row[]> {
  const planned = plan(entity, args, limits);
  const params = new Params();
  const scoped = scope((value, cast) => params.add(value, cast));
  const { conditions } = pageSql(entity, args, planned, params);
  const last = page.nodes.at(-1);
  if (page.pageInfo.hasNextPage && last) {
    const keys = keyColumns(entity, planned.ordering);
    const refs = keys.map((c) => params.add(last[c.field], KINDS[c.kind].sql));
    const op = planned.direction === "asc" ? "<=" : ">=";
    conditions.push(`(${keys.map((c) => c.sql).join(", ")}) ${op} (${refs.join(", ")})`);
  }
  const groups = groupSql.map((sql, i) => `${sql} AS "g${i}"`).join(", ");
  return db.query<Row>(
    `SELECT ${groups}, count(*)::int AS "count" FROM ${entity.from}
     WHERE ${[scoped, ...conditions].join(" AND ")}
     GROUP BY ${groupSql.map((_, i) => i + 1).join(", ")}
     ORDER BY ${groupSql.map((_, i) => i + 1).join(", ")}`,
    params.values,
  );
}

/** What a span count asks for: its condition and groups, their parameters going through `add`. */
export type SpanCount = (add: (value: unknown, cast: string) => string) => {
  where: string;
  groups: readonly string[];
};

/** A page of a nested connection whose span a span count loader counts. */
export interface KeyedPage {
  key: string;
  page: Connection;
}

/**
 * countInPageSpan for the pages of a nested connection (the replies of each post of a page),
 * as createPageLoader reads them: all pages of one tick are counted with a single query grouped
 * by key, each within its own span. Rows of each key come in countInPageSpan's order.
 */
export function createSpanCountLoader(
  db: Db,
  entity: Entity,
  args: PageArgs,
  limits: PageLimits,
  partition: { cast: string; condition: (keyRef: string) => string },
  count: SpanCount,
): DataLoader<KeyedPage, Row[], string> {
  const planned = plan(entity, args, limits);
  const keys = keyColumns(entity, planned.ordering);
  const op = planned.direction === "asc" ? "<=" : ">=";
  return new DataLoader<KeyedPage, Row[], string>(
    async (spans) => {
      const params = new Params();
      const { where, groups } = count((value, cast) => params.add(value, cast));
      // A page with a next page ends at its last row; the last page runs to the end (no bound).
      const lasts = spans.map(({ page }) =>
        page.pageInfo.hasNextPage ? (page.nodes.at(-1) ?? null) : null,
      );
      const arrays = [
        params.add(
          spans.map((span) => span.key),
          `${partition.cast}[]`,
        ),
        params.add(
          lasts.map((last) => last !== null),
          "bool[]",
        ),
        ...keys.map((c) =>
          params.add(
            lasts.map((last) => (last === null ? null : last[c.field])),
            `${KINDS[c.kind].sql}[]`,
          ),
        ),
      ];
      const { conditions } = pageSql(entity, args, planned, params);
      const bound = `(NOT k.bounded OR (${keys.map((c) => c.sql).join(", ")}) ${op} (${keys.map((_, i) => `k.b${i}`).join(", ")}))`;
      const positions = Array.from({ length: groups.length + 1 }, (_, i) => i + 1).join(", ");
      const rows = await db.query<Row & { __key: string }>(
        `SELECT k.key::text AS "__key", ${groups.map((sql, i) => `${sql} AS "g${i}"`).join(", ")},
           count(*)::int AS "count"
         FROM unnest(${arrays.join(", ")}) AS k(key, bounded, ${keys.map((_, i) => `b${i}`).join(", ")}),
           ${entity.from}
         WHERE ${[partition.condition("k.key"), where, ...conditions, bound].join(" AND ")}
         GROUP BY ${positions}
         ORDER BY ${positions}`,
        params.values,
      );
      const byKey = new Map<string, Row[]>(spans.map((span) => [span.key, []]));
      for (const { __key, ...row } of rows) byKey.get(__key)?.push(row);
      return spans.map((span) => byKey.get(span.key) ?? []);
    },
    { cacheKeyFn: (span) => span.key },
  );
}

import {
  Kind,
  defaultFieldResolver,
  getArgumentValues,
  getNullableType,
  getVariableValues,
  isNonNullType,
  isScalarType,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { ApiContext } from "./context";
import type { Db } from "./database";
import { COIN, HOLDING, TRADE } from "./coins";
import {
  Params,
  pageSql,
  keyColumns,
  plan,
  toConnection,
  type Column,
  type Entity,
  type PageArgs,
  type Row,
} from "./entity";
import { PROFILE } from "./profiles";

/**
 * The coin page in one statement.
 *
 * A query whose root fields are all `coin(address:)` and whose selections under them read only
 * columns (of the coin, of its profile, and of the nodes of its `trades` and `holdings` with
 * their pageInfo and totalCount) is answered with one SQL statement per coin: the coin row with
 * its profile, trades and holdings as JSON aggregates, in one round trip, reading only the
 * columns asked for. The plan (which columns, where each goes in the answer, how each value is
 * serialized) is made once per parsed document and reused by every request of that text. Coin
 * pages of one shape asked for at the same time, by one request or many, share a statement
 * (CoinSql): under load, one round trip reads the coins of several requests.
 *
 * The answer is the one graphql-js gives for the same request: the same scalars serialize each
 * value, the same page planning (limits, cursors, filters) builds each connection, and keys come
 * in the order graphql-js collects them. Anything else (other fields, directives, fragments on
 * interfaces, edges) is executed as usual, and so is any request the statement cannot answer as
 * it stands (an unknown coin, a refused argument, a failed statement): the general path then
 * gives its own answer or error. The query limits (validation) run before either path.
 */

type Serialize = (value: unknown) => unknown;

interface LeafItem {
  type: "leaf";
  key: string;
  column: Column;
  serialize: Serialize;
  nonNull: boolean;
}

interface TypenameItem {
  type: "typename";
  key: string;
  name: string;
}

/** Fields of rows of one entity: columns and __typename. */
type RowItem = LeafItem | TypenameItem;

interface RowSelection {
  items: RowItem[];
  /** The distinct columns the items read. */
  columns: Column[];
}

type PageInfoField = "hasNextPage" | "hasPreviousPage" | "startCursor" | "endCursor";

type ConnectionItem =
  | { type: "nodes"; key: string; selection: RowSelection }
  | { type: "pageInfo"; key: string; fields: { key: string; name: PageInfoField | "__typename" }[] }
  | { type: "totalCount"; key: string }
  | TypenameItem;

/** A connection field of the coin read in the coin's statement. */
interface ConnectionSource {
  entity: Entity;
  /** Condition tying a row to the coin (aliased `c`). */
  scope: string;
  /** totalCount of the general path, from the page's arguments and the coin row. */
  totalCount(args: PageArgs, coin: Row): number | null;
}

const CONNECTIONS: Record<string, ConnectionSource> = {
  trades: { entity: TRADE, scope: "t.coin = c.address", totalCount: () => null },
  holdings: {
    entity: HOLDING,
    scope: "h.coin = c.address",
    // As Coin.holdings: the coin's kept holder count, for the holdings without a filter.
    totalCount: (args, coin) =>
      args.where && Object.keys(args.where).length > 0 ? null : Number(coin.__holders),
  },
};

type CoinItem =
  | RowItem
  | { type: "profile"; key: string; selection: RowSelection }
  | {
      type: "connection";
      key: string;
      source: ConnectionSource;
      field: GraphQLField<unknown, unknown>;
      node: FieldNode;
      items: ConnectionItem[];
    };

interface RootCoin {
  key: string;
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  items: CoinItem[];
  /** Columns of the coin the items read. */
  columns: Column[];
  /** Statement texts by shape (see coinStatement), built on first use. */
  statements: Map<string, CoinSql>;
}

interface CoinPagePlan {
  operation: OperationDefinitionNode;
  roots: RootCoin[];
}

/** Most statement texts kept per root field of a plan (page sizes vary them). */
const MAX_SHAPES = 32;

/** The plan does not cover this document. */
class Unplannable extends Error {}

const unplannable = (): never => {
  throw new Unplannable();
};

/**
 * The fields of `selectionSets` (merged, as graphql-js merges them) by response key, in the
 * order graphql-js collects them, on the object type `typeName`.
 */
function collectFields(
  selectionSets: readonly SelectionSetNode[],
  typeName: string,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  fields = new Map<string, FieldNode[]>(),
  visited = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const set of selectionSets) {
    for (const selection of set.selections) {
      if (selection.directives && selection.directives.length > 0) unplannable();
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const list = fields.get(key);
          if (list) list.push(selection);
          else fields.set(key, [selection]);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (selection.typeCondition && selection.typeCondition.name.value !== typeName) {
            unplannable();
          }
          collectFields([selection.selectionSet], typeName, fragments, fields, visited);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visited.has(name)) break;
          visited.add(name);
          const fragment = fragments.get(name) ?? unplannable();
          if (fragment.directives && fragment.directives.length > 0) unplannable();
          if (fragment.typeCondition.name.value !== typeName) unplannable();
          collectFields([fragment.selectionSet], typeName, fragments, fields, visited);
          break;
        }
      }
    }
  }
  return fields;
}

const subSelections = (nodes: readonly FieldNode[]): SelectionSetNode[] =>
  nodes.map((node) => node.selectionSet ?? unplannable());

const noArguments = (nodes: readonly FieldNode[]) => {
  if (nodes.some((node) => node.arguments && node.arguments.length > 0)) unplannable();
};

/** A field resolved by graphql's default resolver (a property of its parent). */
function isPlainField(field: GraphQLField<unknown, unknown>): boolean {
  return field.resolve === undefined || field.resolve === defaultFieldResolver;
}

function rowSelection(
  schema: GraphQLSchema,
  entity: Entity,
  selectionSets: readonly SelectionSetNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): RowSelection {
  const type = schema.getType(entity.name) as GraphQLObjectType;
  const items: RowItem[] = [];
  const columns = new Set<Column>();
  for (const [key, nodes] of collectFields(selectionSets, entity.name, fragments)) {
    noArguments(nodes);
    const item = rowItem(type, entity, key, nodes[0].name.value);
    if (item.type === "leaf") columns.add(item.column);
    items.push(item);
  }
  return { items, columns: [...columns] };
}

function rowItem(type: GraphQLObjectType, entity: Entity, key: string, name: string): RowItem {
  if (name === "__typename") return { type: "typename", key, name: type.name };
  const field = type.getFields()[name] ?? unplannable();
  const column = entity.columns.find((c) => c.field === name);
  if (!column || !isPlainField(field)) unplannable();
  const scalar = getNullableType(field.type);
  if (!isScalarType(scalar)) return unplannable();
  return {
    type: "leaf",
    key,
    column: column!,
    serialize: (value) => scalar.serialize(value),
    nonNull: isNonNullType(field.type),
  };
}

function connectionItems(
  schema: GraphQLSchema,
  entity: Entity,
  nodes: readonly FieldNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): ConnectionItem[] {
  const typeName = `${entity.name}Connection`;
  const items: ConnectionItem[] = [];
  for (const [key, fields] of collectFields(subSelections(nodes), typeName, fragments)) {
    noArguments(fields);
    const name = fields[0].name.value;
    if (name === "__typename") items.push({ type: "typename", key, name: typeName });
    else if (name === "totalCount") items.push({ type: "totalCount", key });
    else if (name === "nodes") {
      items.push({
        type: "nodes",
        key,
        selection: rowSelection(schema, entity, subSelections(fields), fragments),
      });
    } else if (name === "pageInfo") {
      const info = collectFields(subSelections(fields), "PageInfo", fragments);
      items.push({
        type: "pageInfo",
        key,
        fields: [...info].map(([infoKey, infoNodes]) => {
          noArguments(infoNodes);
          const infoName = infoNodes[0].name.value;
          if (
            infoName !== "__typename" &&
            infoName !== "hasNextPage" &&
            infoName !== "hasPreviousPage" &&
            infoName !== "startCursor" &&
            infoName !== "endCursor"
          ) {
            unplannable();
          }
          return { key: infoKey, name: infoName as PageInfoField | "__typename" };
        }),
      });
    } else unplannable();
  }
  return items;
}

function planDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): CoinPagePlan | null {
  try {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation =
      operationName == null
        ? operations.length === 1
          ? operations[0]
          : unplannable()
        : (operations.find((o) => o.name?.value === operationName) ?? unplannable());
    if (operation.operation !== "query") unplannable();
    if (operation.directives && operation.directives.length > 0) unplannable();
    const fragments = new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    const query = schema.getQueryType() ?? unplannable();
    const coinField = query.getFields().coin ?? unplannable();
    // A schema without the coins module (or its profile) has no coin page.
    const coinType = (schema.getType(COIN.name) as GraphQLObjectType | undefined) ?? unplannable();
    if (!schema.getType(PROFILE.name)) unplannable();
    const coinFields = coinType.getFields();
    const roots: RootCoin[] = [];
    for (const [key, nodes] of collectFields([operation.selectionSet], query.name, fragments)) {
      if (nodes[0].name.value !== "coin") unplannable();
      const items: CoinItem[] = [];
      const columns = new Set<Column>();
      for (const [itemKey, fields] of collectFields(subSelections(nodes), COIN.name, fragments)) {
        const name = fields[0].name.value;
        const source = CONNECTIONS[name];
        if (source) {
          if (!coinFields[name]) unplannable();
          items.push({
            type: "connection",
            key: itemKey,
            source,
            field: coinFields[name],
            node: fields[0],
            items: connectionItems(schema, source.entity, fields, fragments),
          });
        } else if (name === "profile") {
          noArguments(fields);
          items.push({
            type: "profile",
            key: itemKey,
            selection: rowSelection(schema, PROFILE, subSelections(fields), fragments),
          });
        } else {
          noArguments(fields);
          const item = rowItem(coinType, COIN, itemKey, name);
          if (item.type === "leaf") columns.add(item.column);
          items.push(item);
        }
      }
      roots.push({
        key,
        field: coinField,
        node: nodes[0],
        items,
        columns: [...columns],
        statements: new Map(),
      });
    }
    if (roots.length === 0) unplannable();
    return { operation, roots };
  } catch (error) {
    if (error instanceof Unplannable) return null;
    throw error;
  }
}

/** A column in a JSON aggregate: numeric and int8 as text, as pg reads them. */
function jsonValue(ref: string, column: Column): string {
  switch (column.kind) {
    case "uint256":
    case "uint64":
      return `${ref}::text`;
    case "uint256s":
      return `${ref}::text[]`;
    default:
      return ref;
  }
}

/** A row of a JSON array (jsonValue order) back as the row the general path reads. */
function rowOf(values: unknown[], columns: readonly Column[]): Row {
  const row: Row = {};
  for (let i = 0; i < columns.length; i++) row[columns[i].field] = values[i];
  return row;
}

/** The request cannot be answered by the plan as it stands: the general path answers it. */
class Fallback extends Error {}

function rowAnswer(items: readonly RowItem[], row: Row): Row {
  const out: Row = {};
  for (const item of items) {
    if (item.type === "typename") {
      out[item.key] = item.name;
      continue;
    }
    const value = row[item.column.field];
    if (value == null) {
      // A non-null field without a value is an error in the general path.
      if (item.nonNull) throw new Fallback();
      out[item.key] = null;
    } else out[item.key] = item.serialize(value);
  }
  return out;
}

interface PlannedConnection {
  item: Extract<CoinItem, { type: "connection" }>;
  args: PageArgs;
  page: ReturnType<typeof plan>;
  /** Columns in the JSON arrays: those asked for, then the ordering's keys. */
  columns: Column[];
}

/** Most coins one shared statement reads. */
const MAX_SHARED_COINS = 64;
/**
 * Statements of one shape running at once; the coins of that shape asked for meanwhile wait and
 * are then read together. One: Postgres reads a coin in less time than the API takes to answer
 * it, so one session keeps up with an API process, and while it reads, the next batch gathers.
 * Measured with bench:api's coin page (50 connections, one process, cache off) on one database,
 * in turn: CPU per request (API + Postgres) 0.95 to 1.28 ms unshared, 0.64 to 0.95 ms with two
 * running, 0.47 to 0.78 ms with one (with every coin then sent at the end of a turn, even when
 * nothing ran).
 */
const MAX_SHARED_RUNNING = 1;

interface CoinRead {
  address: string;
  db: Db;
  resolve(row: Row | undefined): void;
  reject(error: unknown): void;
}

/**
 * The statements of one shape: `one` reads the coin whose address is $1; `many(count)` reads the
 * coins whose addresses are $1 to $count, each row with its address in `__key`; `read` reads one
 * coin's row through either, shared with the other requests of the moment.
 *
 * Sharing: a coin asked for while no statement of the shape runs is read at once, alone. While
 * MAX_SHARED_RUNNING statements of the shape run, the coins asked for wait; once one ends, at the
 * end of that turn of the event loop, the coins waiting are read with one statement (of at most
 * MAX_SHARED_COINS). So a request alone waits for nothing; under load, concurrent coin pages
 * share a round trip to Postgres and one execution instead of one each, in batches that grow
 * with the load, as DataLoader batches a tick's loads (Prisma batches findUnique calls so). Each
 * row is the one the single-coin statement reads, matched by address. The limit is per shape,
 * and a shape's statements cost what its page sizes allow, so requests of other shapes (another
 * client's heavier selection) never hold a shape's reads back. Within a shape, a coin waits for the statement running, as it would wait
 * for a connection of a busy pool; a coin whose own reading is slow (its volume24h sums every
 * trade of the last day) slows the batch it is in.
 *
 * The addresses of `many` are separate parameters, not one array: Postgres estimates
 * `IN ($1, ..., $n)` the same with or without their values, so it settles on one generic plan,
 * where for `= ANY($1::text[])` it plans every execution anew for its array's length. Counts are
 * rounded up to a power of two (the last address repeated), so a shape has at most seven texts
 * to prepare. A shared statement runs through the database access of the first request waiting
 * (its pool, prepared statement names and error mapping); when it fails, each request reads its
 * coin alone with its own (runPlan), so each failure is reported as it would have been without
 * sharing.
 */
class CoinSql {
  readonly one: string;
  private readonly texts = new Map<number, string>();
  private waiting: CoinRead[] = [];
  private running = 0;
  private scheduled = false;

  constructor(private readonly list: string) {
    this.one = `SELECT ${list} FROM ${COIN.from} WHERE c.address = $1::text`;
  }

  private many(count: number): string {
    let text = this.texts.get(count);
    if (text === undefined) {
      const addresses = Array.from({ length: count }, (_, i) => `$${i + 1}::text`).join(", ");
      text = `SELECT ${this.list}, c.address AS "__key" FROM ${COIN.from} WHERE c.address IN (${addresses})`;
      this.texts.set(count, text);
    }
    return text;
  }

  read(db: Db, address: string): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ address, db, resolve, reject });
      // Nothing running: read at once.
      if (!this.scheduled) this.send();
    });
  }

  /** Sends the coins waiting, up to the limit of statements running. */
  private send(): void {
    while (this.running < MAX_SHARED_RUNNING && this.waiting.length > 0) {
      const addresses: string[] = [];
      const taken = new Set<string>();
      let i = 0;
      for (; i < this.waiting.length; i++) {
        const { address } = this.waiting[i];
        if (!taken.has(address)) {
          if (addresses.length === MAX_SHARED_COINS) break;
          taken.add(address);
          addresses.push(address);
        }
      }
      const reads = this.waiting.slice(0, i);
      this.waiting = this.waiting.slice(i);
      void this.run(addresses, reads);
    }
  }

  /**
   * Once a statement ends: the coins that waited for it are sent at the end of this turn of the
   * event loop, with those the turn's other requests ask for.
   */
  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }

  private async run(addresses: string[], reads: CoinRead[]): Promise<void> {
    this.running++;
    try {
      const { db } = reads[0];
      const byAddress = new Map<string, Row>();
      if (addresses.length === 1) {
        const [row] = await db.query<Row>(this.one, addresses);
        if (row) byAddress.set(addresses[0], row);
      } else {
        let count = 2;
        while (count < addresses.length) count *= 2;
        const values = Array.from({ length: count }, (_, i) => addresses[i] ?? addresses.at(-1));
        for (const row of await db.query<Row>(this.many(count), values)) {
          byAddress.set(row.__key as string, row);
        }
      }
      for (const read of reads) read.resolve(byAddress.get(read.address));
    } catch (error) {
      for (const read of reads) read.reject(error);
    } finally {
      this.running--;
      this.schedule();
    }
  }
}

/** The statement answering one root `coin` field, and how to read its row. */
function coinStatement(root: RootCoin, variables: Record<string, unknown>, context: ApiContext) {
  const params = new Params();
  const { address } = getArgumentValues(root.field, root.node, variables) as { address: string };
  params.add(address, "text");
  const connections: PlannedConnection[] = [];
  /** The statement's shape: the same text for every request of this shape. */
  let shape = "";
  let filtered = false;
  const parts: { conditions: string[]; orderBy: string; keys: Column[] }[] = [];
  root.items.forEach((item, i) => {
    if (item.type !== "connection") return;
    const { entity } = item.source;
    const args = getArgumentValues(item.field, item.node, variables) as PageArgs;
    const page = plan(entity, args, context.limits);
    const { conditions, orderBy } = pageSql(entity, args, page, params);
    const keys = keyColumns(entity, page.ordering);
    const asked = item.items.flatMap((sub) => (sub.type === "nodes" ? sub.selection.columns : []));
    connections[i] = { item, args, page, columns: [...new Set([...asked, ...keys])] };
    parts[i] = { conditions, orderBy, keys };
    if (args.where && Object.keys(args.where).length > 0) filtered = true;
    shape += `${i}:${page.ordering.name}:${page.direction}:${page.first}:${page.after !== null};`;
  });
  // Filters vary the text with their conditions: built anew each time.
  let sql = filtered ? undefined : root.statements.get(shape);
  if (sql === undefined) {
    const select = root.columns.map((c) => `${c.sql} AS "${c.field}"`);
    select.push(`c.holder_count AS "__holders"`);
    root.items.forEach((item, i) => {
      if (item.type === "profile") {
        const values = item.selection.columns.map((c) => jsonValue(c.sql, c)).join(", ");
        select.push(
          `(SELECT json_build_array(${values}) FROM ${PROFILE.from} WHERE pr.id = c.profile_id) AS "__profile${i}"`,
        );
      } else if (item.type === "connection") {
        const { entity, scope } = item.source;
        const { columns, page } = connections[i];
        const { conditions, orderBy, keys } = parts[i];
        const dir = page.direction === "asc" ? "ASC" : "DESC";
        select.push(
          `(SELECT json_agg(json_build_array(${columns.map((c) => jsonValue(`r."${c.field}"`, c)).join(", ")})
             ORDER BY ${keys.map((c) => `r."${c.field}" ${dir}`).join(", ")})
            FROM (SELECT ${columns.map((c) => `${c.sql} AS "${c.field}"`).join(", ")} FROM ${entity.from}
                  WHERE ${[scope, ...conditions].join(" AND ")}
                  ORDER BY ${orderBy} LIMIT ${page.first + 1}) r) AS "__connection${i}"`,
        );
      }
    });
    sql = new CoinSql(select.join(", "));
    if (!filtered && root.statements.size < MAX_SHAPES) root.statements.set(shape, sql);
  }
  // Only the address varies the statement: coins of this shape can be read together.
  const shared = !filtered && params.values.length === 1 ? sql : null;
  return { sql: sql.one, shared, address, values: params.values, connections };
}

function coinAnswer(root: RootCoin, row: Row, connections: readonly PlannedConnection[]): Row {
  const out: Row = {};
  root.items.forEach((item, i) => {
    switch (item.type) {
      case "profile": {
        const values = row[`__profile${i}`] as unknown[] | null;
        // The general path reports a missing profile as an internal error.
        if (!values) throw new Fallback();
        out[item.key] = rowAnswer(item.selection.items, rowOf(values, item.selection.columns));
        break;
      }
      case "connection": {
        const { page, args, columns } = connections[i];
        const rows = ((row[`__connection${i}`] as unknown[][] | null) ?? []).map((values) =>
          rowOf(values, columns),
        );
        const connection = toConnection(rows, page);
        const answer: Row = {};
        for (const sub of item.items) {
          switch (sub.type) {
            case "typename":
              answer[sub.key] = sub.name;
              break;
            case "totalCount":
              answer[sub.key] = item.source.totalCount(args, row);
              break;
            case "nodes":
              answer[sub.key] = connection.nodes.map((node) =>
                rowAnswer(sub.selection.items, node),
              );
              break;
            case "pageInfo": {
              const info: Row = {};
              for (const field of sub.fields) {
                info[field.key] =
                  field.name === "__typename" ? "PageInfo" : connection.pageInfo[field.name];
              }
              answer[sub.key] = info;
              break;
            }
          }
        }
        out[item.key] = answer;
        break;
      }
      default:
        Object.assign(out, rowAnswer([item], row));
    }
  });
  return out;
}

/** The answer of the plan, or null when the general path must give it. */
async function runPlan(
  schema: GraphQLSchema,
  coinPage: CoinPagePlan,
  args: ExecutionArgs,
): Promise<ExecutionResult | null> {
  const context = args.contextValue as ApiContext;
  const coerced = getVariableValues(
    schema,
    coinPage.operation.variableDefinitions ?? [],
    (args.variableValues ?? {}) as Record<string, unknown>,
    { maxErrors: 1 },
  );
  if (coerced.errors) return null;
  try {
    const answers = await Promise.all(
      coinPage.roots.map(async (root) => {
        const statement = coinStatement(root, coerced.coerced, context);
        const alone = async () => (await context.db.query<Row>(statement.sql, statement.values))[0];
        const row = statement.shared
          ? await statement.shared.read(context.db, statement.address).catch(alone)
          : await alone();
        // An unknown coin: the general path reports it.
        if (!row) throw new Fallback();
        return coinAnswer(root, row, statement.connections);
      }),
    );
    const data: Row = {};
    coinPage.roots.forEach((root, i) => (data[root.key] = answers[i]));
    return { data };
  } catch {
    // Refused arguments, a failed statement or an answer the plan does not cover.
    return null;
  }
}

/**
 * Answers the queries planDocument covers with one statement per coin (see above); every other
 * query is executed as usual. Plans are kept with their parsed documents.
 */
export function useCoinPagePlans(): Plugin {
  const plans = new WeakMap<DocumentNode, Map<string, CoinPagePlan | null>>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      let byOperation = plans.get(args.document);
      if (!byOperation) plans.set(args.document, (byOperation = new Map()));
      const name = args.operationName ?? "";
      let coinPage = byOperation.get(name);
      if (coinPage === undefined) {
        coinPage = planDocument(args.schema, args.document, args.operationName);
        byOperation.set(name, coinPage);
      }
      if (coinPage === null) return;
      const planned = coinPage;
      setExecuteFn(
        async (execution) =>
          (await runPlan(execution.schema, planned, execution)) ?? executeFn(execution),
      );
    },
  };
}

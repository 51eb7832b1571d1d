import { GraphQLScalarType, Kind } from "graphql";
import { ErrorCode, userError } from "./errors";

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const UINT256_MAX = (1n << 256n) - 1n;

function parseUint(value: unknown): string {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !DECIMAL.test(text) || BigInt(text) > UINT256_MAX) {
    throw userError(
      ErrorCode.BadUserInput,
      `BigInt takes a non-negative decimal integer below 2^256 as a string (e.g. "42"), got ${JSON.stringify(value)}`,
    );
  }
  return text;
}

/**
 * uint256 values (ids, amounts, block numbers) as decimal strings: a JSON number loses
 * precision above 2^53. Outputs what Postgres' numeric and int8 columns hold (strings in pg).
 */
export const BigIntScalar = new GraphQLScalarType({
  name: "BigInt",
  description:
    'A non-negative integer below 2^256, as a decimal string: "1208925819614629174706177".',
  serialize: (value) => (typeof value === "bigint" ? value.toString() : String(value)),
  parseValue: parseUint,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return parseUint(ast.value);
    throw userError(
      ErrorCode.BadUserInput,
      `BigInt takes a decimal string, got a ${ast.kind} literal`,
    );
  },
});

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function parseAddress(value: unknown): string {
  if (typeof value !== "string" || !ADDRESS.test(value)) {
    throw userError(
      ErrorCode.BadUserInput,
      `Address takes 0x and 40 hex digits, got ${JSON.stringify(value)}`,
    );
  }
  return value.toLowerCase();
}

/** An EVM address; any letter case in, lowercase out (how the indexer stores them). */
export const AddressScalar = new GraphQLScalarType({
  name: "Address",
  description: "A 20-byte EVM address as 0x-prefixed hex. Input in any case; output in lowercase.",
  serialize: (value) => String(value),
  parseValue: parseAddress,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return parseAddress(ast.value);
    throw userError(ErrorCode.BadUserInput, `Address takes a string, got a ${ast.kind} literal`);
  },
});

/** Types every area shares: scalars, page info, ordering direction, the on-chain origin of a row. */
export const commonTypeDefs = /* GraphQL */ `
  """
  A non-negative integer below 2^256 as a decimal string. Ids, amounts and block numbers use it.
  """
  scalar BigInt

  """
  A 20-byte EVM address as 0x-prefixed hex: any case in, lowercase out.
  """
  scalar Address

  """
  Where a page of a connection starts and ends, and whether more items follow.
  """
  type PageInfo {
    "Whether another page follows: pass endCursor as after to read it."
    hasNextPage: Boolean!
    "Whether this page was asked for with an after cursor (pages are read forwards only)."
    hasPreviousPage: Boolean!
    "Cursor of the first item of the page, null when the page is empty."
    startCursor: String
    "Cursor of the last item of the page, null when the page is empty."
    endCursor: String
  }

  """
  Sort direction of a connection.
  """
  enum OrderDirection {
    "Smallest first."
    asc
    "Largest first."
    desc
  }

  """
  The event a row comes from: its block, its position in the block and its transaction.
  """
  type EventRef {
    "Number of the block holding the event."
    blockNumber: BigInt!
    "Index of the log within its block."
    logIndex: Int!
    "Hash of the transaction that emitted the event."
    txHash: String!
    "Unix time of the block, in seconds."
    timestamp: BigInt
  }

  """
  Reads: profiles, posts, the social graph, coins, tips, revenue, governance and the state of the indexer.
  """
  type Query

  """
  Live updates over Server-Sent Events (send Accept: text/event-stream).
  """
  type Subscription
`;

import DataLoader from "dataloader";
import type { ApiContext, ApiModule } from "./context";
import {
  column,
  connectionArgs,
  createRowLoader,
  entityTypeDefs,
  fetchPage,
  selectColumns,
  type Entity,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { ErrorCode, userError } from "./errors";
import { profileById } from "./profiles";
import { NOW_SQL, eventFeed, nested, required, traceColumns } from "./shared";
import { chainStrings } from "./strings";

/** Seconds in the window of `volume24h`. */
const DAY = 86_400;

/** 24-hour volume of the coin aliased `alias`: trades with timestamp in (now - 1 day, now]. */
const volume24hSql = (alias: string) =>
  `(SELECT coalesce(sum(v.eth_amount), 0) FROM trades v
    WHERE v.coin = ${alias}.address AND v.timestamp > ${NOW_SQL} - ${DAY})`;

export const COIN: Entity = {
  name: "Coin",
  description:
    "A creator coin: an ERC-20 bonded to its profile, bought from and sold to its bonding curve. Prices and amounts are in wei; coin amounts in coin-wei (18 decimals).",
  from: "coins c",
  alias: "c",
  columns: [
    {
      field: "address",
      sql: "c.address",
      kind: "address",
      filter: true,
      description: "Address of the coin contract.",
    },
    {
      field: "profileId",
      sql: "c.profile_id",
      kind: "uint256",
      filter: true,
      description: "Profile the coin belongs to.",
    },
    {
      field: "launcher",
      sql: "c.launcher",
      kind: "address",
      filter: true,
      description: "Address that launched the coin.",
    },
    {
      field: "handle",
      sql: "c.handle",
      kind: "text",
      filter: true,
      description: "The profile's handle at launch (the symbol is this handle upper-cased).",
    },
    { field: "name", sql: "c.name", kind: "text", description: 'ERC-20 name: "Agora " + handle.' },
    { field: "symbol", sql: "c.symbol", kind: "text", description: "ERC-20 symbol." },
    {
      field: "creatorFeeBps",
      sql: "c.creator_fee_bps",
      kind: "int",
      description:
        "Creator fee on each trade, in basis points, as of the latest schedule in effect.",
    },
    {
      field: "supply",
      sql: "c.supply",
      kind: "uint256",
      description: "Total supply in coin-wei after the latest trade.",
    },
    {
      field: "reserve",
      sql: "c.reserve",
      kind: "uint256",
      description: "ETH held by the curve, in wei, after the latest trade.",
    },
    {
      field: "price",
      sql: "c.price",
      kind: "uint256",
      filter: true,
      description: "Spot price in wei per whole coin (1e18 coin-wei) at the current supply.",
    },
    {
      field: "marketCap",
      sql: "c.market_cap",
      kind: "uint256",
      filter: true,
      description: "price * supply / 1e18, in wei.",
    },
    {
      field: "tradeCount",
      sql: "c.trade_count",
      kind: "int",
      description: "Number of trades.",
    },
    {
      field: "holders",
      sql: "c.holder_count",
      kind: "int",
      filter: true,
      description: "Number of addresses holding a non-zero balance.",
    },
    {
      field: "volume",
      sql: "c.volume",
      kind: "uint256",
      description: "Sum of the ETH amounts of every trade, in wei (see Trade.ethAmount).",
    },
    {
      field: "volume24h",
      sql: volume24hSql("c"),
      kind: "uint256",
      description:
        "ETH amount of the trades of the last 24 hours, in wei. The window ends at the timestamp of the latest indexed block (not the wall clock), so the value moves as blocks are indexed, with or without trades.",
    },
    ...traceColumns("c", "launch"),
    {
      field: "timestamp",
      sql: "c.timestamp",
      kind: "uint64",
      filter: true,
      description: "Unix time of the launch, in seconds.",
    },
    {
      field: "lastTradeBlockNumber",
      sql: "c.last_trade_block_number",
      kind: "uint64",
      nullable: true,
      description: "Block of the latest trade, null before the first.",
    },
    {
      field: "lastTradeTimestamp",
      sql: "c.last_trade_timestamp",
      kind: "uint64",
      nullable: true,
      description: "Unix time of the latest trade, null before the first.",
    },
  ],
  orderings: [
    { name: "marketCap", description: "By market cap.", keys: ["marketCap", "address"] },
    { name: "price", description: "By spot price.", keys: ["price", "address"] },
    {
      name: "volume24h",
      description: "By ETH traded in the last 24 hours (computed for every coin: slower).",
      keys: ["volume24h", "address"],
    },
    { name: "holders", description: "By number of holders.", keys: ["holders", "address"] },
    { name: "launch", description: "In order of launch.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "marketCap",
  defaultDirection: "desc",
};

const COIN_STRINGS = chainStrings(
  "Coin",
  { table: "coins", columns: [{ field: "address", column: "address", cast: "text" }] },
  [{ field: "handle", column: "handle" }],
);

export const TRADE: Entity = {
  name: "Trade",
  description:
    "A buy or sell of a coin against its curve (one Traded event). ETH amounts in wei, coin amounts in coin-wei.",
  from: "trades t",
  alias: "t",
  columns: [
    ...traceColumns("t", "trade"),
    {
      field: "timestamp",
      sql: "t.timestamp",
      kind: "uint64",
      filter: true,
      description: "Unix time of the trade's block, in seconds.",
    },
    {
      field: "coinAddress",
      sql: "t.coin",
      kind: "address",
      filter: true,
      description: "Coin traded.",
    },
    {
      field: "trader",
      sql: "t.trader",
      kind: "address",
      filter: true,
      description: "Address that sent the trade.",
    },
    {
      field: "recipient",
      sql: "t.recipient",
      kind: "address",
      filter: true,
      description: "Address that received the coins (buy) or the ETH (sell).",
    },
    {
      field: "isBuy",
      sql: "t.is_buy",
      kind: "boolean",
      filter: true,
      description: "Whether it is a buy (true) or a sell (false).",
    },
    {
      field: "coinAmount",
      sql: "t.coin_amount",
      kind: "uint256",
      description: "Coins minted (buy) or burned (sell).",
    },
    {
      field: "ethAmount",
      sql: "t.eth_amount",
      kind: "uint256",
      filter: true,
      description:
        "ETH paid by the trader, fees included (buy), or paid to the recipient, fees deducted (sell).",
    },
    {
      field: "protocolFee",
      sql: "t.protocol_fee",
      kind: "uint256",
      description: "Protocol fee paid.",
    },
    {
      field: "creatorFee",
      sql: "t.creator_fee",
      kind: "uint256",
      description: "Creator fee paid.",
    },
    {
      field: "referrer",
      sql: "t.referrer",
      kind: "address",
      nullable: true,
      filter: true,
      description: "App that brought the trade and was credited referrerFee; null for none.",
    },
    {
      field: "referrerFee",
      sql: "t.referrer_fee",
      kind: "uint256",
      description: "Part of protocolFee credited to the referrer (0 without one).",
    },
    {
      field: "supplyAfter",
      sql: "t.supply_after",
      kind: "uint256",
      description: "Total supply after the trade.",
    },
    {
      field: "reserveAfter",
      sql: "t.reserve_after",
      kind: "uint256",
      description: "Curve reserve after the trade.",
    },
    {
      field: "priceAfter",
      sql: "t.price_after",
      kind: "uint256",
      description: "Spot price in wei per whole coin after the trade.",
    },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

/** Value of a holding at the coin's current spot price: balance * price / 1e18, rounded down. */
const HOLDING_VALUE = "div(h.balance * hc.price, 1000000000000000000::numeric)";

export const HOLDING: Entity = {
  name: "Holding",
  description: "A non-zero balance of a coin held by an address, valued at the coin's spot price.",
  from: "holdings h JOIN coins hc ON hc.address = h.coin",
  alias: "h",
  columns: [
    {
      field: "coinAddress",
      sql: "h.coin",
      kind: "address",
      filter: true,
      description: "Coin held.",
    },
    {
      field: "holder",
      sql: "h.holder",
      kind: "address",
      filter: true,
      description: "Address holding it.",
    },
    {
      field: "balance",
      sql: "h.balance",
      kind: "uint256",
      filter: true,
      description: "Balance in coin-wei.",
    },
    {
      field: "value",
      sql: HOLDING_VALUE,
      kind: "uint256",
      description:
        "balance * the coin's spot price / 1e18, in wei, rounded down (what the balance is worth at the current price, not what selling it would return).",
    },
  ],
  orderings: [
    {
      name: "balance",
      description: "By balance (within one coin: its top holders).",
      keys: ["balance", "coinAddress", "holder"],
    },
    {
      name: "value",
      description: "By value at the spot price (within one holder: a portfolio).",
      keys: ["value", "coinAddress", "holder"],
    },
  ],
  defaultOrdering: "balance",
  defaultDirection: "desc",
};

/** Feed of new trades for `tradeCreated`. */
/** The state of a factory rate change at "now" (NOW_SQL), in the order of CoinFeeRateChangeState. */
const FEE_RATE_CHANGE_STATE = `(CASE
  WHEN fr.superseded_block_number IS NOT NULL THEN 'SUPERSEDED'
  WHEN fr.effective_at > ${NOW_SQL} THEN 'PENDING'
  ELSE 'EFFECTIVE' END)`;

export const FEE_RATE_CHANGE: Entity = {
  name: "CoinFeeRateChange",
  description:
    "A change of a rate the creator coin factory sets for every coin (a ProtocolFeeChanged or ReferrerShareChanged event), with when it takes effect.",
  from: "coin_fee_rate_changes fr",
  alias: "fr",
  columns: [
    ...traceColumns("fr", "change"),
    {
      field: "rate",
      sql: "fr.rate",
      kind: "text",
      filter: true,
      description:
        "protocolFeeBps (the protocol fee, bps of the trade) or referrerShareBps (the referrer's share, bps of the protocol fee).",
    },
    {
      field: "oldBps",
      sql: "fr.old_bps",
      kind: "int",
      description:
        "The rate it replaces: the one in effect, or the pending one it supersedes (0 for the deployment's).",
    },
    { field: "newBps", sql: "fr.new_bps", kind: "int", description: "The new rate." },
    {
      field: "loggedAt",
      sql: "fr.logged_at",
      kind: "uint64",
      description: "Unix time of the block that logged the change (governance's decision).",
    },
    {
      field: "effectiveAt",
      sql: "fr.effective_at",
      kind: "uint64",
      filter: true,
      description:
        "Unix time from which trades pay the new rate (blocks with a timestamp at or after it): 7 days (FEE_CHANGE_DELAY) after loggedAt, or loggedAt for the rates the factory was deployed with. A superseded change never takes effect.",
    },
    {
      field: "state",
      sql: FEE_RATE_CHANGE_STATE,
      kind: "text",
      filter: true,
      description:
        "At the latest indexed block's time: PENDING (effectiveAt is later), EFFECTIVE (it took effect, and may since have been followed by another) or SUPERSEDED (a later change of the rate came before effectiveAt; it never took effect).",
    },
    {
      field: "supersededBlockNumber",
      sql: "fr.superseded_block_number",
      kind: "uint64",
      nullable: true,
      description: "Block of the change that superseded this one, null if none did.",
    },
    {
      field: "supersededLogIndex",
      sql: "fr.superseded_log_index",
      kind: "int",
      nullable: true,
      description: "Log index of the change that superseded this one, null if none did.",
    },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "asc",
};

/** The rates in effect at "now", each the latest change of its rate that took effect. */
const FEE_RATES_SQL = `SELECT clock.t::text AS "asOf",
  ${["protocolFeeBps", "referrerShareBps"]
    .map(
      (rate) => `(SELECT fr.new_bps FROM coin_fee_rate_changes fr
    WHERE fr.rate = '${rate}' AND fr.superseded_block_number IS NULL AND fr.effective_at <= clock.t
    ORDER BY fr.block_number DESC, fr.log_index DESC LIMIT 1) AS "${rate}"`,
    )
    .join(",\n  ")}
  FROM (SELECT ${NOW_SQL} AS t) clock`;

async function feeRates(context: ApiContext): Promise<Row | null> {
  const [row] = await context.db.query<Row>(FEE_RATES_SQL);
  if (row.asOf == null || row.protocolFeeBps == null || row.referrerShareBps == null) return null;
  return row;
}

function pendingChange(context: ApiContext, rate: string): Promise<Row | null> {
  return fetchPage(
    context.db,
    FEE_RATE_CHANGE,
    { where: { rate, state: "PENDING" }, first: 1 },
    context.limits,
  ).then((page) => page.nodes[0] ?? null);
}

export const TRADES_FEED = eventFeed("trades", TRADE);

/** Seconds per candle of each interval. */
const INTERVALS = { MINUTE: 60, HOUR: 3_600, DAY: 86_400 } as const;

/** Most candles one `candles` call may span. */
const MAX_CANDLES = 1_000;

export function coinByAddress(context: ApiContext, address: string): Promise<Row | null> {
  return context
    .loader("coin:address", () => createRowLoader(context.db, COIN, column(COIN, "address")))
    .load(address);
}

function coinByProfile(context: ApiContext, profileId: string): Promise<Row | null> {
  return context
    .loader("coin:profile", () => createRowLoader(context.db, COIN, column(COIN, "profileId")))
    .load(profileId);
}

async function findCoin(context: ApiContext, address: string): Promise<Row> {
  const coin = await coinByAddress(context, address);
  if (!coin) throw userError(ErrorCode.CoinNotFound, `no coin has the address ${address}`);
  return coin;
}

interface CandleArgs {
  coin: string;
  interval: keyof typeof INTERVALS;
  from: string;
  to: string;
}

/** Timestamps are int8 in the database: a bound at or above this is no time at all. */
const INT8_LIMIT = 1n << 63n;

/** The candle size and range of a `candles` call, refused when out of bounds. */
function candleRange(args: Omit<CandleArgs, "coin">): { size: bigint } {
  const size = BigInt(INTERVALS[args.interval]);
  const from = BigInt(args.from);
  const to = BigInt(args.to);
  for (const [name, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value >= INT8_LIMIT) {
      throw userError(
        ErrorCode.BadUserInput,
        `candles: ${name} (${value}) is not a Unix time in seconds; it must be below 2^63`,
      );
    }
  }
  if (to <= from) {
    throw userError(ErrorCode.BadUserInput, `candles: to (${to}) must be after from (${from})`);
  }
  const first = (from / size) * size;
  const count = (to - first + size - 1n) / size;
  if (count > BigInt(MAX_CANDLES)) {
    throw userError(
      ErrorCode.TooManyItems,
      `candles: from..to spans ${count} ${args.interval.toLowerCase()} candles but at most ${MAX_CANDLES} can be asked for at once; narrow the range or use a longer interval`,
    );
  }
  return { size };
}

/**
 * The candles of every coin asked for with the same interval and range in one tick, read with
 * one statement (a page of 100 coins with their candles is one query, not 100).
 */
function candlesOf(
  context: ApiContext,
  coin: string,
  args: Omit<CandleArgs, "coin">,
): Promise<Row[]> {
  const { size } = candleRange(args);
  const key = `candles:${args.interval}:${args.from}:${args.to}`;
  return context
    .loader(
      key,
      () =>
        new DataLoader<string, Row[]>(async (coins) => {
          const rows = await context.db.query<Row & { __coin: string }>(
            `SELECT t.coin AS "__coin", (t.timestamp / $2::int8) * $2::int8 AS "start",
               (array_agg(t.price_after ORDER BY t.block_number, t.log_index))[1] AS "open",
               max(t.price_after) AS "high",
               min(t.price_after) AS "low",
               (array_agg(t.price_after ORDER BY t.block_number DESC, t.log_index DESC))[1] AS "close",
               sum(t.eth_amount) AS "volume",
               sum(t.coin_amount) AS "coinVolume",
               count(*)::int AS "trades"
             FROM trades t
             WHERE t.coin = ANY($1::text[]) AND t.timestamp >= $3::int8 AND t.timestamp < $4::int8
             GROUP BY 1, 2 ORDER BY 1, 2`,
            [coins, size.toString(), args.from, args.to],
          );
          const byCoin = new Map<string, Row[]>(coins.map((address) => [address, []]));
          for (const { __coin, ...row } of rows) byCoin.get(__coin)?.push(row);
          return coins.map((address) => byCoin.get(address) ?? []);
        }),
    )
    .load(coin);
}

/**
 * How many candles a `candles` field may return, for the cost estimate: the span of its range
 * when the arguments say it, else the most a call may return.
 */
function candleListSize(args: Record<string, unknown>): number {
  try {
    const size = BigInt(INTERVALS[args.interval as CandleArgs["interval"]]);
    const from = BigInt(args.from as string);
    const to = BigInt(args.to as string);
    const count = (to - (from / size) * size + size - 1n) / size;
    return count > 0n && count < BigInt(MAX_CANDLES) ? Number(count) : MAX_CANDLES;
  } catch {
    return MAX_CANDLES;
  }
}

async function candles(context: ApiContext, args: CandleArgs): Promise<Row[]> {
  candleRange(args);
  await findCoin(context, args.coin);
  return candlesOf(context, args.coin, args);
}

const holdingsOfCoin = nested(
  "Coin.holdings",
  HOLDING,
  "address",
  (key) => `h.coin = ${key}`,
  "text",
);

export function coinsModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(COIN)}
      ${COIN_STRINGS.typeDefs}
      ${entityTypeDefs(TRADE)}
      ${entityTypeDefs(HOLDING)}
      ${entityTypeDefs(FEE_RATE_CHANGE)}

      "The rates the creator coin factory sets for every coin, as of the latest indexed block."
      type CoinFeeRates {
        "Unix time the rates are given for: the timestamp of the latest indexed block (not the wall clock)."
        asOf: BigInt!
        "The protocol fee in effect at asOf, in basis points of the trade."
        protocolFeeBps: Int!
        "The referrer's share of the protocol fee in effect at asOf, in basis points of that fee."
        referrerShareBps: Int!
        "A change of the protocol fee decided but not yet in effect at asOf (see effectiveAt), null if none."
        pendingProtocolFee: CoinFeeRateChange
        "A change of the referrer share decided but not yet in effect at asOf (see effectiveAt), null if none."
        pendingReferrerShare: CoinFeeRateChange
      }

      "Length of a candle."
      enum CandleInterval {
        "60 seconds."
        MINUTE
        "3,600 seconds."
        HOUR
        "86,400 seconds."
        DAY
      }

      """
      Open, high, low, close and volume of a coin's trades in one interval. Prices are the spot
      price after each trade (price_after, wei per whole coin), so open is the price after the
      first trade of the interval, close the price after its last, and high and low the extremes
      over its trades. Intervals without trades have no candle.
      """
      type Candle {
        "Unix time the interval starts at (a multiple of its length), in seconds."
        start: BigInt!
        "Spot price after the interval's first trade."
        open: BigInt!
        "Highest spot price after a trade of the interval."
        high: BigInt!
        "Lowest spot price after a trade of the interval."
        low: BigInt!
        "Spot price after the interval's last trade."
        close: BigInt!
        "Sum of the trades' ETH amounts, in wei (see Trade.ethAmount)."
        volume: BigInt!
        "Coins bought and sold, in coin-wei."
        coinVolume: BigInt!
        "Number of trades."
        trades: Int!
      }

      "The coin holdings of one address."
      type Portfolio {
        "The address."
        holder: Address!
        "Sum of the values of its holdings at the coins' spot prices, in wei."
        value: BigInt!
        "Number of coins it holds."
        coinCount: Int!
        "Its holdings, by value by default."
        holdings${connectionArgs({ ...HOLDING, defaultOrdering: "value" }, limits)}: HoldingConnection!
      }

      extend type Coin {
        "Profile the coin belongs to."
        profile: Profile!
        "Trades of this coin, latest first by default."
        trades${connectionArgs(TRADE, limits)}: TradeConnection!
        "Holders of this coin, largest balance first by default."
        holdings${connectionArgs(HOLDING, limits)}: HoldingConnection!
        "OHLCV candles of this coin's trades (see Query.candles)."
        candles(
          "Candle length."
          interval: CandleInterval!
          "Unix time, in seconds, the first candle may start at (inclusive)."
          from: BigInt!
          "Unix time, in seconds, trades must be before (exclusive)."
          to: BigInt!
        ): [Candle!]!
      }

      extend type Trade {
        "Coin traded."
        coin: Coin!
      }

      extend type Holding {
        "Coin held."
        coin: Coin!
      }

      extend type Profile {
        "The profile's coin, null when it has not launched one."
        coin: Coin
      }

      extend type Query {
        "The factory's rates in effect now and any pending change; null before its deployment is indexed."
        coinFeeRates: CoinFeeRates
        "The factory's rate changes, each with when it takes effect and its state now."
        coinFeeRateChanges${connectionArgs(FEE_RATE_CHANGE, limits)}: CoinFeeRateChangeConnection!
        "The coin at this address; an unknown address is an error with code COIN_NOT_FOUND."
        coin("Coin contract address." address: Address!): Coin
        """
        The coin of the profile with this handle now (or, failing that, the coin launched under
        this handle); an unknown handle is an error with code COIN_NOT_FOUND.
        """
        coinByHandle("A profile handle." handle: String!): Coin
        "Coins, by market cap by default; orderBy also takes price, volume24h and holders."
        coins${connectionArgs(COIN, limits)}: CoinConnection!
        """
        Trades matching a filter: where: { coinAddress, trader, timestamp_gte, timestamp_lt }
        gives the trades of one coin or trader in a time range.
        """
        trades${connectionArgs(TRADE, limits)}: TradeConnection!
        "Top holders of a coin by balance; an unknown coin is an error with code COIN_NOT_FOUND."
        holders(
          "Coin contract address."
          coin: Address!
          "Only holdings matching this filter."
          where: HoldingFilter
          "Page size: at most ${limits.maxPageSize}."
          first: Int = ${limits.defaultPageSize}
          "Cursor of the last holding already read."
          after: String
        ): HoldingConnection!
        "The coins an address holds, with their value at the current spot prices."
        portfolio("Holder address." address: Address!): Portfolio!
        """
        OHLCV candles of a coin's trades between from and to, oldest first, at most
        ${MAX_CANDLES} intervals; an unknown coin is an error with code COIN_NOT_FOUND.
        """
        candles(
          "Coin contract address."
          coin: Address!
          "Candle length."
          interval: CandleInterval!
          "Unix time, in seconds, the first candle may start at (inclusive)."
          from: BigInt!
          "Unix time, in seconds, trades must be before (exclusive)."
          to: BigInt!
        ): [Candle!]!
      }

      extend type Subscription {
        "Each trade as it is indexed, optionally only those of one coin."
        tradeCreated("Only trades of this coin." coin: Address): Trade!
      }
    `,
    resolvers: {
      Query: {
        coinFeeRates: (_: unknown, __: unknown, context: ApiContext) => feeRates(context),
        coinFeeRateChanges: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, FEE_RATE_CHANGE, args, context.limits),
        coin: (_: unknown, args: { address: string }, context: ApiContext) =>
          findCoin(context, args.address),
        async coinByHandle(_: unknown, args: { handle: string }, context: ApiContext) {
          const rows = await context.db.query<Row>(
            `SELECT ${selectColumns(COIN)} FROM ${COIN.from}
             WHERE c.profile_id = (SELECT id FROM profiles WHERE handle = $1::text) OR c.handle = $1::text
             ORDER BY (c.profile_id = (SELECT id FROM profiles WHERE handle = $1::text)) DESC NULLS LAST
             LIMIT 1`,
            [args.handle],
          );
          if (rows.length === 0) {
            throw userError(
              ErrorCode.CoinNotFound,
              `no coin belongs to the handle ${JSON.stringify(args.handle)}`,
            );
          }
          return rows[0];
        },
        coins: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, COIN, args, context.limits),
        trades: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, TRADE, args, context.limits),
        async holders(_: unknown, args: PageArgs & { coin: string }, context: ApiContext) {
          await findCoin(context, args.coin);
          return fetchPage(
            context.db,
            HOLDING,
            { ...args, orderBy: "balance", orderDirection: "desc" },
            context.limits,
            (add) => `h.coin = ${add(args.coin, "text")}`,
          );
        },
        async portfolio(_: unknown, args: { address: string }, context: ApiContext) {
          const [row] = await context.db.query<Row>(
            `SELECT coalesce(sum(${HOLDING_VALUE}), 0) AS value, count(*)::int AS "coinCount"
             FROM ${HOLDING.from} WHERE h.holder = $1::text`,
            [args.address],
          );
          return { holder: args.address, value: row.value, coinCount: row.coinCount };
        },
        candles: (_: unknown, args: CandleArgs, context: ApiContext) => candles(context, args),
      },
      Subscription: {
        tradeCreated: {
          subscribe(_: unknown, args: { coin?: string | null }, context: ApiContext) {
            return context.live.subscribe(
              "trades",
              (row) => args.coin == null || row.coinAddress === args.coin,
            );
          },
          resolve(row: Row, _: unknown, context: ApiContext) {
            context.resetLoaders();
            return row;
          },
        },
      },
      CoinFeeRates: {
        pendingProtocolFee: (_: Row, __: unknown, context: ApiContext) =>
          pendingChange(context, "protocolFeeBps"),
        pendingReferrerShare: (_: Row, __: unknown, context: ApiContext) =>
          pendingChange(context, "referrerShareBps"),
      },
      Portfolio: {
        holdings: (portfolio: Row, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, HOLDING, args, context.limits, (add) => {
            return `h.holder = ${add(portfolio.holder, "text")}`;
          }),
      },
      Coin: {
        ...COIN_STRINGS.resolvers,
        profile: (coin: Row, _: unknown, context: ApiContext) =>
          required(profileById(context, String(coin.profileId)), `profile ${coin.profileId}`),
        trades: nested("Coin.trades", TRADE, "address", (key) => `t.coin = ${key}`, "text"),
        // Assigned, not spread: a spread would compute every edge's cursor (see toConnection).
        holdings: async (coin: Row, args: PageArgs, context: ApiContext) =>
          Object.assign(await holdingsOfCoin(coin, args, context), {
            // The coin row's holder count, kept by the handler: the holdings without a filter.
            totalCount:
              args.where && Object.keys(args.where).length > 0 ? null : Number(coin.holders),
          }),
        candles: (coin: Row, args: Omit<CandleArgs, "coin">, context: ApiContext) =>
          candlesOf(context, String(coin.address), args),
      },
      Trade: {
        coin: (trade: Row, _: unknown, context: ApiContext) =>
          required(coinByAddress(context, String(trade.coinAddress)), `coin ${trade.coinAddress}`),
      },
      Holding: {
        coin: (holding: Row, _: unknown, context: ApiContext) =>
          required(
            coinByAddress(context, String(holding.coinAddress)),
            `coin ${holding.coinAddress}`,
          ),
      },
      Profile: {
        coin: (profile: Row, _: unknown, context: ApiContext) =>
          coinByProfile(context, String(profile.id)),
      },
    },
    feeds: [TRADES_FEED],
    listSizes: { "Query.candles": candleListSize, "Coin.candles": candleListSize },
  };
}

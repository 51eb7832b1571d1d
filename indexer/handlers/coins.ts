import type pg from "pg";
import { parseAbi } from "viem";
import type { BulkColumn } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { DIVISOR } from "../../sdk/curve";
import {
  deleteEventsAbove,
  insertEvents,
  textArg,
  TRACE_COLUMNS,
  uintArg,
  unique,
  type EventTable,
  type Handler,
} from "./types";

/** Must match contracts/interfaces/ICreatorCoinFactory.sol (a test compares them). */
export const CREATOR_COIN_FACTORY_EVENTS = parseAbi([
  "event CoinLaunched(uint256 indexed profileId, address indexed coin, address indexed launcher, string handle, uint256 creatorFeeBps)",
  "event ProtocolFeeChanged(uint256 oldBps, uint256 newBps)",
]);

/** Must match contracts/interfaces/ICreatorCoin.sol and ERC-20's Transfer (a test compares them). */
export const CREATOR_COIN_EVENTS = parseAbi([
  "event Traded(address indexed trader, address indexed recipient, address indexed coin, bool isBuy, uint256 coinAmount, uint256 ethAmount, uint256 protocolFee, uint256 creatorFee, uint256 newSupply, uint256 newReserve)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event CreatorFeeChangeScheduled(uint256 currentBps, uint256 newBps, uint256 effectiveAt)",
  "event CreatorFeesWithdrawn(address indexed owner, address indexed to, uint256 amount)",
  "event ProtocolFeesSwept(address indexed caller, uint256 amount)",
]);

/** The factory's name in the deployment file. */
export const CREATOR_COIN_FACTORY = "CreatorCoinFactory";
/** The name the coins' logs carry (`DecodedLog.contract`); coins are found through the factory. */
export const CREATOR_COIN = "CreatorCoin";

const WAD = 10n ** 18n;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * The spot price in wei per whole coin at a supply of `supply` coin-wei, rounded down: the
 * derivative of the reserve R(s) = s^3 / DIVISOR, 3 s^2 / DIVISOR wei per coin-wei, times 1e18.
 * (For S whole coins this is S^2 / 16000 ETH, the curve of contracts/libraries/BondingCurve.sol.)
 */
export function spotPrice(supply: bigint): bigint {
  return (3n * supply * supply * WAD) / DIVISOR;
}

const coinColumn: BulkColumn<DecodedLog> = {
  name: "coin",
  type: "text",
  value: (log) => log.address,
};

const bps = (name: string) => (log: DecodedLog) => Number(uintArg(log, name));

const TABLES: readonly EventTable[] = [
  {
    table: "coin_launches",
    event: "CoinLaunched",
    columns: [
      { name: "profile_id", type: "numeric", value: (log) => uintArg(log, "profileId") },
      { name: "coin", type: "text", value: (log) => textArg(log, "coin") },
      { name: "launcher", type: "text", value: (log) => textArg(log, "launcher") },
      { name: "handle", type: "text", value: (log) => textArg(log, "handle") },
      { name: "creator_fee_bps", type: "integer", value: bps("creatorFeeBps") },
    ],
  },
  {
    table: "coin_protocol_fee_changes",
    event: "ProtocolFeeChanged",
    columns: [
      { name: "old_bps", type: "integer", value: bps("oldBps") },
      { name: "new_bps", type: "integer", value: bps("newBps") },
    ],
  },
  {
    table: "trades",
    event: "Traded",
    columns: [
      { name: "timestamp", type: "bigint", value: (log) => log.timestamp },
      coinColumn,
      { name: "trader", type: "text", value: (log) => textArg(log, "trader") },
      { name: "recipient", type: "text", value: (log) => textArg(log, "recipient") },
      { name: "is_buy", type: "boolean", value: (log) => log.args.isBuy as boolean },
      { name: "coin_amount", type: "numeric", value: (log) => uintArg(log, "coinAmount") },
      { name: "eth_amount", type: "numeric", value: (log) => uintArg(log, "ethAmount") },
      { name: "protocol_fee", type: "numeric", value: (log) => uintArg(log, "protocolFee") },
      { name: "creator_fee", type: "numeric", value: (log) => uintArg(log, "creatorFee") },
      { name: "supply_after", type: "numeric", value: (log) => uintArg(log, "newSupply") },
      { name: "reserve_after", type: "numeric", value: (log) => uintArg(log, "newReserve") },
      {
        name: "price_after",
        type: "numeric",
        value: (log) => spotPrice(uintArg(log, "newSupply")),
      },
    ],
  },
  {
    table: "creator_fee_schedules",
    event: "CreatorFeeChangeScheduled",
    columns: [
      coinColumn,
      { name: "current_bps", type: "integer", value: bps("currentBps") },
      { name: "new_bps", type: "integer", value: bps("newBps") },
      { name: "effective_at", type: "bigint", value: (log) => uintArg(log, "effectiveAt") },
    ],
  },
  {
    table: "creator_fee_withdrawals",
    event: "CreatorFeesWithdrawn",
    columns: [
      coinColumn,
      { name: "owner", type: "text", value: (log) => textArg(log, "owner") },
      { name: "to_address", type: "text", value: (log) => textArg(log, "to") },
      { name: "amount", type: "numeric", value: (log) => uintArg(log, "amount") },
    ],
  },
  {
    table: "coin_protocol_fee_sweeps",
    event: "ProtocolFeesSwept",
    columns: [
      coinColumn,
      { name: "caller", type: "text", value: (log) => textArg(log, "caller") },
      { name: "amount", type: "numeric", value: (log) => uintArg(log, "amount") },
    ],
  },
];

/** Tables with a `coin` column whose rows touch that coin's `coins` row. */
const COIN_EVENT_TABLES = [
  "trades",
  "creator_fee_schedules",
  "creator_fee_withdrawals",
  "coin_protocol_fee_sweeps",
];

const TRANSFER_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  ...TRACE_COLUMNS,
  coinColumn,
  { name: "from_address", type: "text", value: (log) => textArg(log, "from") },
  { name: "to_address", type: "text", value: (log) => textArg(log, "to") },
  { name: "value", type: "numeric", value: (log) => uintArg(log, "value") },
];

/**
 * Per (coin, holder), the balance change that the transfer rows `moved` make, times `sign`.
 * The zero address (mints and burns) is no holder.
 */
const holdingDeltas = (moved: string, sign: "" | "-") => `
  deltas AS (
    SELECT coin, from_address AS holder, -(${sign}value) AS amount FROM ${moved}
      WHERE from_address <> '${ZERO_ADDRESS}'
    UNION ALL
    SELECT coin, to_address, ${sign}value FROM ${moved} WHERE to_address <> '${ZERO_ADDRESS}'
  ),
  updated AS (
    INSERT INTO holdings (coin, holder, balance)
    SELECT coin, holder, sum(amount) FROM deltas GROUP BY coin, holder
    ON CONFLICT (coin, holder) DO UPDATE SET balance = holdings.balance + EXCLUDED.balance
    RETURNING coin
  )
  SELECT DISTINCT coin FROM updated`;

/** Deletes the holdings of `coins` that reached zero (in their own statement, see below). */
async function dropEmptyHoldings(client: pg.PoolClient, coins: string[]): Promise<void> {
  if (coins.length === 0) return;
  // A statement's data-modifying CTEs share one snapshot, so the upsert's zeros are only
  // visible to the next statement.
  await client.query(`DELETE FROM holdings WHERE coin = ANY($1::text[]) AND balance = 0`, [coins]);
}

/**
 * Inserts the Transfer rows and moves `holdings` by their deltas, in one statement: only the
 * rows actually inserted count, so writing a range twice cannot move a balance twice.
 * Returns the coins whose holdings changed.
 */
async function applyTransfers(
  client: pg.PoolClient,
  transfers: readonly DecodedLog[],
): Promise<string[]> {
  if (transfers.length === 0) return [];
  const names = TRANSFER_COLUMNS.map((column) => `"${column.name}"`).join(", ");
  const unnest = TRANSFER_COLUMNS.map((column, i) => `$${i + 1}::${column.type}[]`).join(", ");
  const arrays = TRANSFER_COLUMNS.map((column) =>
    transfers.map((log) => {
      const value = column.value(log);
      return typeof value === "bigint" ? value.toString() : value;
    }),
  );
  const result = await client.query<{ coin: string }>(
    `WITH moved AS (
       INSERT INTO coin_transfers (${names}) SELECT * FROM unnest(${unnest})
       ON CONFLICT DO NOTHING RETURNING coin, from_address, to_address, value
     ), ${holdingDeltas("moved", "")}`,
    arrays,
  );
  const coins = result.rows.map((row) => row.coin);
  await dropEmptyHoldings(client, coins);
  return coins;
}

/** Deletes the Transfer rows above `ancestor` and takes their deltas back out of `holdings`. */
async function rollbackTransfers(client: pg.PoolClient, ancestor: bigint): Promise<string[]> {
  const result = await client.query<{ coin: string }>(
    `WITH moved AS (
       DELETE FROM coin_transfers WHERE block_number > $1
       RETURNING coin, from_address, to_address, value
     ), ${holdingDeltas("moved", "-")}`,
    [ancestor.toString()],
  );
  const coins = result.rows.map((row) => row.coin);
  await dropEmptyHoldings(client, coins);
  return coins;
}

/**
 * Rebuilds the `coins` rows of `coins` from the event tables and `holdings`:
 * - launch data (profile, launcher, handle, name "Agora " + handle, symbol upper(handle)) and
 *   the launch block's timestamp from `coin_launches` and `blocks`;
 * - supply and reserve from the latest trade (0 before the first), price and market cap from
 *   the supply on the curve (see `spotPrice`);
 * - trade count and volume (sum of `eth_amount`, fees included) over every trade;
 * - holder count: the `holdings` rows of the coin, i.e. every address with a non-zero balance,
 *   the coin itself (holder of the locked FLOOR_SUPPLY once trading has started) included;
 * - creator fee: the rate at the coin's latest indexed time, i.e. the later of its launch and
 *   its latest trade. The latest schedule, if any, decides: its `new_bps` once that time has
 *   reached `effective_at`, else its `current_bps` (the rate when it was scheduled, which the
 *   contract computes the same way); without a schedule, the rate at launch. A schedule that
 *   matures while the coin sees no trade shows from the coin's next trade on: that is the
 *   first moment the new rate is charged.
 * A coin without a launch row (rolled back) loses its row.
 */
async function recomputeCoins(client: pg.PoolClient, coins: string[]): Promise<void> {
  if (coins.length === 0) return;
  await client.query(`DELETE FROM coins WHERE address = ANY($1::text[])`, [coins]);
  await client.query(
    `INSERT INTO coins (address, profile_id, launcher, handle, name, symbol, creator_fee_bps,
       supply, reserve, price, market_cap, trade_count, holder_count, volume,
       block_number, tx_hash, log_index, timestamp, last_trade_block_number, last_trade_timestamp)
     SELECT l.coin, l.profile_id, l.launcher, l.handle, 'Agora ' || l.handle, upper(l.handle),
       CASE
         WHEN s.new_bps IS NULL THEN l.creator_fee_bps
         WHEN s.effective_at <= greatest(b.timestamp, t.timestamp) THEN s.new_bps
         ELSE s.current_bps
       END,
       coalesce(t.supply_after, 0), coalesce(t.reserve_after, 0),
       coalesce(t.price_after, 0),
       div(coalesce(t.price_after, 0) * coalesce(t.supply_after, 0), ${WAD}),
       a.trade_count, h.holder_count, a.volume,
       l.block_number, l.tx_hash, l.log_index, b.timestamp, t.block_number, t.timestamp
     FROM coin_launches l
     JOIN blocks b ON b.number = l.block_number
     LEFT JOIN LATERAL (
       SELECT block_number, timestamp, supply_after, reserve_after, price_after FROM trades
       WHERE coin = l.coin ORDER BY block_number DESC, log_index DESC LIMIT 1) t ON true
     LEFT JOIN LATERAL (
       SELECT current_bps, new_bps, effective_at FROM creator_fee_schedules
       WHERE coin = l.coin ORDER BY block_number DESC, log_index DESC LIMIT 1) s ON true
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS trade_count, coalesce(sum(eth_amount), 0) AS volume
       FROM trades WHERE coin = l.coin) a
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS holder_count FROM holdings WHERE coin = l.coin) h
     WHERE l.coin = ANY($1::text[])`,
    [coins],
  );
}

/**
 * CreatorCoinFactory and every coin it launched. Coins are factory children: their address
 * comes from `CoinLaunched.coin`, and their logs (`DecodedLog.contract` = "CreatorCoin")
 * arrive here with the factory's, in chain order.
 *
 * Event tables: coin_launches, coin_protocol_fee_changes (factory); trades, coin_transfers,
 * creator_fee_schedules, creator_fee_withdrawals, coin_protocol_fee_sweeps (coins).
 * Current state: `holdings` moves by the deltas of the Transfer rows a batch inserts, and a
 * rollback subtracts the deltas of the rows it deletes, so it is exact both ways; rows that
 * reach zero are deleted. `coins` is recomputed per touched coin (see `recomputeCoins`).
 */
export const creatorCoinsHandler: Handler = {
  contract: CREATOR_COIN_FACTORY,
  events: CREATOR_COIN_FACTORY_EVENTS,
  children: {
    event: "CoinLaunched",
    addressArg: "coin",
    events: CREATOR_COIN_EVENTS,
    contract: CREATOR_COIN,
    async load(db) {
      const result = await db.query<{ coin: string }>(`SELECT coin FROM coin_launches`);
      return result.rows.map((row) => row.coin);
    },
  },

  async apply(client, logs) {
    await insertEvents(client, TABLES, logs);
    const transfers = logs.filter(
      (log) => log.contract === CREATOR_COIN && log.event === "Transfer",
    );
    await applyTransfers(client, transfers);
    const touched = new Set<string>();
    for (const log of logs) {
      if (log.contract === CREATOR_COIN) touched.add(log.address);
      else if (log.event === "CoinLaunched") touched.add(textArg(log, "coin"));
    }
    await recomputeCoins(client, [...touched]);
  },

  async rollback(client, ancestor) {
    const touched: string[] = await rollbackTransfers(client, ancestor);
    for (const table of [...COIN_EVENT_TABLES, "coin_launches"]) {
      const rows = await deleteEventsAbove<{ coin: string }>(client, table, ancestor, ["coin"]);
      touched.push(...rows.map((row) => row.coin));
    }
    await client.query(`DELETE FROM coin_protocol_fee_changes WHERE block_number > $1`, [
      ancestor.toString(),
    ]);
    await recomputeCoins(client, unique(touched));
  },
};

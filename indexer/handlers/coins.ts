import type pg from "pg";
import { parseAbi } from "viem";
import type { BulkColumn } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { DIVISOR } from "../../sdk/curve";
import { stringColumns } from "./rows";
import { deleteSettingsAbove, insertSettings } from "./settings";
import {
  deleteEventsAbove,
  insertEvents,
  textArg,
  TRACE_COLUMNS,
  uintArg,
  type EventTable,
  type Handler,
} from "./types";

/** Must match contracts/interfaces/ICreatorCoinFactory.sol (a test compares them). */
export const CREATOR_COIN_FACTORY_EVENTS = parseAbi([
  "event CoinLaunched(uint256 indexed profileId, address indexed coin, address indexed launcher, string handle, uint256 creatorFeeBps)",
  "event ProtocolFeeChanged(uint256 oldBps, uint256 newBps)",
  "event ReferrerShareChanged(uint256 oldBps, uint256 newBps)",
]);

/** Must match contracts/interfaces/ICreatorCoin.sol and ERC-20's Transfer (a test compares them). */
export const CREATOR_COIN_EVENTS = parseAbi([
  "event Traded(address indexed trader, address indexed recipient, address indexed referrer, bool isBuy, uint256 coinAmount, uint256 ethAmount, uint256 protocolFee, uint256 creatorFee, uint256 referrerFee, uint256 newSupply, uint256 newReserve)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event CreatorFeeChangeScheduled(uint256 currentBps, uint256 newBps, uint256 effectiveAt)",
  "event CreatorFeesWithdrawn(address indexed owner, address indexed to, uint256 amount)",
  "event ProtocolFeesSwept(address indexed caller, uint256 amount)",
  "event ReferrerFeesWithdrawn(address indexed referrer, address indexed to, uint256 amount)",
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
      ...stringColumns("handle", "handle"),
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
    table: "referrer_withdrawals",
    event: "ReferrerFeesWithdrawn",
    columns: [
      { name: "source", type: "text", value: (log) => log.address },
      { name: "referrer", type: "text", value: (log) => textArg(log, "referrer") },
      { name: "token", type: "text", value: () => ZERO_ADDRESS },
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

/** Must match CreatorCoinFactory.FEE_CHANGE_DELAY (a test compares them): 7 days, in seconds. */
export const FEE_CHANGE_DELAY = 604_800n;

/** `coin_fee_rate_changes.rate` of each factory event that changes a rate. */
const FEE_RATES: Record<string, string> = {
  ProtocolFeeChanged: "protocolFeeBps",
  ReferrerShareChanged: "referrerShareBps",
};

/**
 * Writes the factory's rate changes to `coin_fee_rate_changes` with when each takes effect
 * (ICreatorCoinFactory: the constructor's at once, every later one `FEE_CHANGE_DELAY` after
 * its block's timestamp), and marks the change it replaces, if that one was still pending.
 *
 * The constructor's change is the first of its rate the table holds: the constructor emits
 * both rates before any transaction can reach the factory, and the sync starts at the
 * factory's deployment block (`blockNumber` in the deployment file), so nothing precedes it.
 * Changes are few (governance acts through the timelock): two statements each.
 */
async function applyFeeRateChanges(client: pg.PoolClient, logs: readonly DecodedLog[]) {
  for (const log of logs) {
    const rate = FEE_RATES[log.event];
    if (log.contract !== CREATOR_COIN_FACTORY || rate === undefined) continue;
    const position = [log.blockNumber.toString(), log.logIndex];
    await client.query(
      `UPDATE coin_fee_rate_changes
       SET superseded_block_number = $1, superseded_log_index = $2
       WHERE rate = $3 AND superseded_block_number IS NULL AND effective_at > $4`,
      [...position, rate, log.timestamp.toString()],
    );
    await client.query(
      `INSERT INTO coin_fee_rate_changes
         (block_number, log_index, tx_hash, rate, old_bps, new_bps, logged_at, effective_at)
       SELECT $1::int8, $2::int4, $3::text, $4::text, $5::int4, $6::int4, $7::int8,
         $7::int8 + CASE WHEN EXISTS (SELECT 1 FROM coin_fee_rate_changes WHERE rate = $4::text)
           THEN $8::int8 ELSE 0 END`,
      [
        ...position,
        log.txHash,
        rate,
        bps("oldBps")(log),
        bps("newBps")(log),
        log.timestamp.toString(),
        FEE_CHANGE_DELAY.toString(),
      ],
    );
  }
}

/** Undoes applyFeeRateChanges above `ancestor`: a change superseded there is pending again. */
async function rollbackFeeRateChanges(client: pg.PoolClient, ancestor: bigint) {
  await client.query(`DELETE FROM coin_fee_rate_changes WHERE block_number > $1`, [
    ancestor.toString(),
  ]);
  await client.query(
    `UPDATE coin_fee_rate_changes SET superseded_block_number = NULL, superseded_log_index = NULL
     WHERE superseded_block_number > $1`,
    [ancestor.toString()],
  );
}

/** Event tables with a `coin` column whose rows touch that coin's `coins` row. */
const COIN_EVENT_TABLES = [
  "creator_fee_schedules",
  "creator_fee_withdrawals",
  "coin_protocol_fee_sweeps",
];

const TRADE_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  ...TRACE_COLUMNS,
  { name: "timestamp", type: "bigint", value: (log) => log.timestamp },
  coinColumn,
  { name: "trader", type: "text", value: (log) => textArg(log, "trader") },
  { name: "recipient", type: "text", value: (log) => textArg(log, "recipient") },
  { name: "is_buy", type: "boolean", value: (log) => log.args.isBuy as boolean },
  { name: "coin_amount", type: "numeric", value: (log) => uintArg(log, "coinAmount") },
  { name: "eth_amount", type: "numeric", value: (log) => uintArg(log, "ethAmount") },
  { name: "protocol_fee", type: "numeric", value: (log) => uintArg(log, "protocolFee") },
  { name: "creator_fee", type: "numeric", value: (log) => uintArg(log, "creatorFee") },
  {
    name: "referrer",
    type: "text",
    value: (log) => {
      const referrer = textArg(log, "referrer");
      return referrer === ZERO_ADDRESS ? null : referrer;
    },
  },
  { name: "referrer_fee", type: "numeric", value: (log) => uintArg(log, "referrerFee") },
  { name: "supply_after", type: "numeric", value: (log) => uintArg(log, "newSupply") },
  { name: "reserve_after", type: "numeric", value: (log) => uintArg(log, "newReserve") },
  {
    name: "price_after",
    type: "numeric",
    value: (log) => spotPrice(uintArg(log, "newSupply")),
  },
];

const TRANSFER_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  ...TRACE_COLUMNS,
  coinColumn,
  { name: "from_address", type: "text", value: (log) => textArg(log, "from") },
  { name: "to_address", type: "text", value: (log) => textArg(log, "to") },
  { name: "value", type: "numeric", value: (log) => uintArg(log, "value") },
];

/** Per coin, what a batch (or a rollback, negated) changes in its counters. */
interface CoinDelta {
  trades: number;
  volume: bigint;
  holders: number;
}

type Deltas = Map<string, CoinDelta>;

function deltaOf(deltas: Deltas, coin: string): CoinDelta {
  let delta = deltas.get(coin);
  if (!delta) {
    delta = { trades: 0, volume: 0n, holders: 0 };
    deltas.set(coin, delta);
  }
  return delta;
}

/**
 * `INSERT ... SELECT * FROM unnest(...) ON CONFLICT DO NOTHING RETURNING ...` as the CTE
 * `name`, with its bind parameters: only rows actually inserted come out, so writing a range
 * twice cannot count anything twice.
 */
function insertCte(
  name: string,
  table: string,
  columns: readonly BulkColumn<DecodedLog>[],
  rows: readonly DecodedLog[],
  returning: string,
): { sql: string; params: unknown[] } {
  const names = columns.map((column) => `"${column.name}"`).join(", ");
  const unnest = columns.map((column, i) => `$${i + 1}::${column.type}[]`).join(", ");
  return {
    sql: `${name} AS (INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})
      ON CONFLICT DO NOTHING RETURNING ${returning})`,
    params: columns.map((column) =>
      rows.map((row) => {
        const value = column.value(row);
        return typeof value === "bigint" ? value.toString() : value;
      }),
    ),
  };
}

/** Inserts the trade rows and adds their count and ETH volume to `deltas`. */
async function applyTrades(client: pg.PoolClient, trades: readonly DecodedLog[], deltas: Deltas) {
  if (trades.length === 0) return;
  const insert = insertCte("inserted", "trades", TRADE_COLUMNS, trades, "coin, eth_amount");
  const result = await client.query<{ coin: string; n: number; volume: string }>(
    `WITH ${insert.sql}
     SELECT coin, count(*)::int AS n, sum(eth_amount)::text AS volume FROM inserted GROUP BY coin`,
    insert.params,
  );
  for (const row of result.rows) {
    const delta = deltaOf(deltas, row.coin);
    delta.trades += row.n;
    delta.volume += BigInt(row.volume);
  }
}

/** Deletes the trade rows above `ancestor` and takes their count and volume out of `deltas`. */
async function rollbackTrades(client: pg.PoolClient, ancestor: bigint, deltas: Deltas) {
  const result = await client.query<{ coin: string; n: number; volume: string }>(
    `WITH deleted AS (DELETE FROM trades WHERE block_number > $1 RETURNING coin, eth_amount)
     SELECT coin, count(*)::int AS n, sum(eth_amount)::text AS volume FROM deleted GROUP BY coin`,
    [ancestor.toString()],
  );
  for (const row of result.rows) {
    const delta = deltaOf(deltas, row.coin);
    delta.trades -= row.n;
    delta.volume -= BigInt(row.volume);
  }
}

/**
 * Moves `holdings` by the transfer rows of the CTE `moved`, each counted `sign` times, and
 * returns per coin how many holders appeared minus how many reached zero. The zero address
 * (mints and burns) is no holder. A row upserted to zero is deleted by `dropEmptyHoldings`.
 * `xmax = 0` tells a row the upsert inserted from one it updated.
 */
const moveHoldings = (sign: "" | "-") => `
  deltas AS (
    SELECT coin, from_address AS holder, -(${sign}value) AS amount FROM moved
      WHERE from_address <> '${ZERO_ADDRESS}'
    UNION ALL
    SELECT coin, to_address, ${sign}value FROM moved WHERE to_address <> '${ZERO_ADDRESS}'
  ),
  updated AS (
    INSERT INTO holdings (coin, holder, balance)
    SELECT coin, holder, sum(amount) FROM deltas GROUP BY coin, holder
    ON CONFLICT (coin, holder) DO UPDATE SET balance = holdings.balance + EXCLUDED.balance
    RETURNING coin, balance, (xmax = 0) AS created
  )
  SELECT coin, (count(*) FILTER (WHERE created AND balance <> 0)
    - count(*) FILTER (WHERE NOT created AND balance = 0))::int AS holders
  FROM updated GROUP BY coin`;

/** Deletes the holdings of `coins` that reached zero. */
async function dropEmptyHoldings(client: pg.PoolClient, coins: string[]): Promise<void> {
  if (coins.length === 0) return;
  // The data-modifying CTEs of one statement share its snapshot: the upsert's zeros are
  // visible from the next statement on.
  await client.query(`DELETE FROM holdings WHERE coin = ANY($1::text[]) AND balance = 0`, [coins]);
}

async function moveHoldingsBy(
  client: pg.PoolClient,
  sql: string,
  params: unknown[],
  deltas: Deltas,
): Promise<void> {
  const result = await client.query<{ coin: string; holders: number }>(sql, params);
  for (const row of result.rows) deltaOf(deltas, row.coin).holders += row.holders;
  await dropEmptyHoldings(
    client,
    result.rows.map((row) => row.coin),
  );
}

/** Inserts the Transfer rows and moves `holdings` by the rows actually inserted. */
async function applyTransfers(
  client: pg.PoolClient,
  transfers: readonly DecodedLog[],
  deltas: Deltas,
): Promise<void> {
  if (transfers.length === 0) return;
  const insert = insertCte(
    "moved",
    "coin_transfers",
    TRANSFER_COLUMNS,
    transfers,
    "coin, from_address, to_address, value",
  );
  await moveHoldingsBy(client, `WITH ${insert.sql}, ${moveHoldings("")}`, insert.params, deltas);
}

/** Deletes the Transfer rows above `ancestor` and takes their deltas back out of `holdings`. */
async function rollbackTransfers(
  client: pg.PoolClient,
  ancestor: bigint,
  deltas: Deltas,
): Promise<void> {
  await moveHoldingsBy(
    client,
    `WITH moved AS (
       DELETE FROM coin_transfers WHERE block_number > $1
       RETURNING coin, from_address, to_address, value
     ), ${moveHoldings("-")}`,
    [ancestor.toString()],
    deltas,
  );
}

/**
 * Brings the `coins` rows of the coins in `deltas` up to date:
 * - launch data (profile, launcher, handle, name "Agora " + handle, symbol upper(handle), both
 *   from the handle's display text) and the launch block's timestamp, from `coin_launches` and
 *   `blocks`;
 * - supply and reserve from the latest trade (0 before the first), price and market cap from
 *   the supply on the curve (`price_after` of that trade, see `spotPrice`);
 * - trade count, volume (sum of `eth_amount`, fees included) and holder count (addresses with
 *   a non-zero balance, the coin itself included once it holds the locked FLOOR_SUPPLY) move
 *   by the deltas of the event rows inserted or deleted, which a rollback reverses exactly;
 * - creator fee: the rate at the coin's latest indexed time, i.e. the later of its launch and
 *   its latest trade. The latest schedule, if any, decides: its `new_bps` once that time has
 *   reached `effective_at`, else its `current_bps` (the rate when it was scheduled, which the
 *   contract computes the same way); without a schedule, the rate at launch. A schedule that
 *   matures while the coin sees no trade shows from the coin's next trade on, the first
 *   moment the new rate is charged.
 * A coin whose launch was rolled back loses its row.
 */
async function refreshCoins(client: pg.PoolClient, deltas: Deltas): Promise<void> {
  if (deltas.size === 0) return;
  const coins = [...deltas.keys()];
  const values = [...deltas.values()];
  await client.query(
    `DELETE FROM coins c WHERE address = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM coin_launches l WHERE l.coin = c.address)`,
    [coins],
  );
  await client.query(
    `INSERT INTO coins AS c (address, profile_id, launcher, handle, handle_bytes, name, symbol,
       creator_fee_bps, supply, reserve, price, market_cap, trade_count, holder_count, volume,
       block_number, tx_hash, log_index, timestamp, last_trade_block_number, last_trade_timestamp)
     SELECT l.coin, l.profile_id, l.launcher, l.handle, l.handle_bytes,
       'Agora ' || l.handle, upper(l.handle),
       CASE
         WHEN s.new_bps IS NULL THEN l.creator_fee_bps
         WHEN s.effective_at <= greatest(b.timestamp, t.timestamp) THEN s.new_bps
         ELSE s.current_bps
       END,
       coalesce(t.supply_after, 0), coalesce(t.reserve_after, 0), coalesce(t.price_after, 0),
       div(coalesce(t.price_after, 0) * coalesce(t.supply_after, 0), ${WAD}),
       d.trades, d.holders, d.volume,
       l.block_number, l.tx_hash, l.log_index, b.timestamp, t.block_number, t.timestamp
     FROM unnest($1::text[], $2::int[], $3::numeric[], $4::int[]) AS d(coin, trades, volume, holders)
     JOIN coin_launches l ON l.coin = d.coin
     JOIN blocks b ON b.number = l.block_number
     LEFT JOIN LATERAL (
       SELECT block_number, timestamp, supply_after, reserve_after, price_after FROM trades
       WHERE coin = l.coin ORDER BY block_number DESC, log_index DESC LIMIT 1) t ON true
     LEFT JOIN LATERAL (
       SELECT current_bps, new_bps, effective_at FROM creator_fee_schedules
       WHERE coin = l.coin ORDER BY block_number DESC, log_index DESC LIMIT 1) s ON true
     ON CONFLICT (address) DO UPDATE SET
       creator_fee_bps = EXCLUDED.creator_fee_bps,
       supply = EXCLUDED.supply,
       reserve = EXCLUDED.reserve,
       price = EXCLUDED.price,
       market_cap = EXCLUDED.market_cap,
       trade_count = c.trade_count + EXCLUDED.trade_count,
       holder_count = c.holder_count + EXCLUDED.holder_count,
       volume = c.volume + EXCLUDED.volume,
       last_trade_block_number = EXCLUDED.last_trade_block_number,
       last_trade_timestamp = EXCLUDED.last_trade_timestamp`,
    [
      coins,
      values.map((delta) => delta.trades),
      values.map((delta) => delta.volume.toString()),
      values.map((delta) => delta.holders),
    ],
  );
}

/**
 * CreatorCoinFactory and every coin it launched. Coins are factory children: their address
 * comes from `CoinLaunched.coin`, and their logs (`DecodedLog.contract` = "CreatorCoin")
 * arrive here with the factory's, in chain order.
 *
 * Event tables: coin_launches, coin_protocol_fee_changes, governance_setting_changes
 * (`referrerShareBps`) and coin_fee_rate_changes (both rates, with when each takes effect)
 * (factory); trades (with their referrer and its fee), coin_transfers,
 * creator_fee_schedules, creator_fee_withdrawals, coin_protocol_fee_sweeps and
 * referrer_withdrawals (coins; the tip jar writes the latter too).
 * Current state: `holdings` moves by the deltas of the Transfer rows a batch inserts and a
 * rollback subtracts the deltas of the rows it deletes, so it is exact both ways; rows that
 * reach zero are deleted. `coins` keeps counters the same way and reads the rest from the
 * latest rows per touched coin (see `refreshCoins`).
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
    const deltas: Deltas = new Map();
    const trades: DecodedLog[] = [];
    const transfers: DecodedLog[] = [];
    for (const log of logs) {
      if (log.contract === CREATOR_COIN) {
        deltaOf(deltas, log.address);
        if (log.event === "Traded") trades.push(log);
        else if (log.event === "Transfer") transfers.push(log);
      } else if (log.event === "CoinLaunched") {
        deltaOf(deltas, textArg(log, "coin"));
      }
    }
    await insertEvents(client, TABLES, logs);
    await insertSettings(client, CREATOR_COIN_FACTORY, logs);
    await applyFeeRateChanges(client, logs);
    await applyTrades(client, trades, deltas);
    await applyTransfers(client, transfers, deltas);
    await refreshCoins(client, deltas);
  },

  async rollback(client, ancestor) {
    const deltas: Deltas = new Map();
    await rollbackTrades(client, ancestor, deltas);
    await rollbackTransfers(client, ancestor, deltas);
    for (const table of [...COIN_EVENT_TABLES, "coin_launches"]) {
      const rows = await deleteEventsAbove<{ coin: string }>(client, table, ancestor, ["coin"]);
      for (const row of rows) deltaOf(deltas, row.coin);
    }
    for (const table of ["coin_protocol_fee_changes", "referrer_withdrawals"]) {
      await client.query(`DELETE FROM ${table} WHERE block_number > $1`, [ancestor.toString()]);
    }
    await deleteSettingsAbove(client, CREATOR_COIN_FACTORY, ancestor);
    await rollbackFeeRateChanges(client, ancestor);
    await refreshCoins(client, deltas);
  },
};

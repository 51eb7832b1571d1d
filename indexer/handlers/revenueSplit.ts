import { parseAbi } from "viem";
import { insertRows } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { deleteRowsAbove, insertJsonRows } from "./rows";
import {
  arg,
  insertEvents,
  textArg,
  TRACE_COLUMNS,
  uintArg,
  type EventTable,
  type Handler,
  uintColumn,
  textColumn,
} from "./types";

/** Must match contracts/interfaces/IRevenueSplit.sol (a test compares them). */
export const REVENUE_SPLIT_EVENTS = parseAbi([
  "struct Bucket { address recipient; uint16 bps; }",
  "event Deposited(address indexed token, address indexed from, uint256 indexed creatorId, uint256 amount, uint256 creatorCredit, uint256 undistributed)",
  "event ProfileCredited(address indexed token, uint256 indexed profileId, uint256 amount, uint256 balance)",
  "event Credited(address indexed token, address indexed account, uint256 amount, uint256 balance)",
  "event Distributed(address indexed token, uint256 amount, uint256 undistributed)",
  "event Withdrawn(address indexed token, address indexed account, address to, uint256 amount)",
  "event ProfileWithdrawn(address indexed token, uint256 indexed profileId, address to, uint256 amount)",
  "event AllocationChanged(Bucket[] buckets, uint16 creatorShareBps)",
]);

const token = textColumn("token", "token");

const amount = uintColumn("amount", "amount");

const TABLES: readonly EventTable[] = [
  {
    table: "revenue_deposits",
    event: "Deposited",
    columns: [
      { name: "timestamp", type: "bigint", value: (log) => log.timestamp },
      token,
      { name: "from_address", type: "text", value: (log) => textArg(log, "from") },
      { name: "creator_id", type: "numeric", value: (log) => uintArg(log, "creatorId") },
      amount,
      { name: "creator_credit", type: "numeric", value: (log) => uintArg(log, "creatorCredit") },
      { name: "undistributed", type: "numeric", value: (log) => uintArg(log, "undistributed") },
    ],
  },
  {
    table: "revenue_profile_credits",
    event: "ProfileCredited",
    columns: [
      token,
      { name: "profile_id", type: "numeric", value: (log) => uintArg(log, "profileId") },
      amount,
      { name: "balance", type: "numeric", value: (log) => uintArg(log, "balance") },
    ],
  },
  {
    table: "revenue_credits",
    event: "Credited",
    columns: [
      token,
      { name: "account", type: "text", value: (log) => textArg(log, "account") },
      amount,
      { name: "balance", type: "numeric", value: (log) => uintArg(log, "balance") },
    ],
  },
  {
    table: "revenue_distributions",
    event: "Distributed",
    columns: [
      token,
      amount,
      { name: "undistributed", type: "numeric", value: (log) => uintArg(log, "undistributed") },
    ],
  },
];

// `Withdrawn` (a bucket recipient) and `ProfileWithdrawn` (a creator profile) share one table.
const WITHDRAWAL_COLUMNS = [
  ...TRACE_COLUMNS,
  token,
  {
    name: "account",
    type: "text",
    value: (log: DecodedLog) => (log.event === "Withdrawn" ? textArg(log, "account") : null),
  },
  {
    name: "profile_id",
    type: "numeric",
    value: (log: DecodedLog) =>
      log.event === "ProfileWithdrawn" ? uintArg(log, "profileId") : null,
  },
  { name: "to_address", type: "text", value: (log: DecodedLog) => textArg(log, "to") },
  amount,
] as const;

interface Bucket {
  recipient: string;
  bps: bigint;
}

const buckets = (log: DecodedLog) => arg(log, "buckets") as unknown as readonly Bucket[];

const ALLOCATION_COLUMNS = [
  { name: "block_number", type: "bigint", value: (log: DecodedLog) => log.blockNumber },
  { name: "log_index", type: "integer", value: (log: DecodedLog) => log.logIndex },
  { name: "tx_hash", type: "text", value: (log: DecodedLog) => log.txHash },
  { name: "timestamp", type: "bigint", value: (log: DecodedLog) => log.timestamp },
  {
    name: "recipients",
    type: "text[]",
    value: (log: DecodedLog) => buckets(log).map((bucket) => bucket.recipient),
  },
  {
    name: "bps",
    type: "integer[]",
    value: (log: DecodedLog) => buckets(log).map((bucket) => Number(bucket.bps)),
  },
  {
    name: "creator_share_bps",
    type: "integer",
    value: (log: DecodedLog) => Number(uintArg(log, "creatorShareBps")),
  },
] as const;

const ALL_TABLES = [
  ...TABLES.map((table) => table.table),
  "revenue_withdrawals",
  "allocation_changes",
];

/**
 * RevenueSplit: fee deposits, creator and bucket credits, distributions, withdrawals and the
 * allocation history. Event tables only: every balance-carrying event records the balance after
 * it, so the latest row per key is the current balance as of the indexed block.
 */
export const revenueSplitHandler: Handler = {
  contract: "RevenueSplit",
  events: REVENUE_SPLIT_EVENTS,

  async apply(client, logs) {
    await insertEvents(client, TABLES, logs);
    await insertRows(
      client,
      "revenue_withdrawals",
      WITHDRAWAL_COLUMNS,
      logs.filter((log) => log.event === "Withdrawn" || log.event === "ProfileWithdrawn"),
    );
    await insertJsonRows(
      client,
      "allocation_changes",
      ALLOCATION_COLUMNS,
      logs.filter((log) => log.event === "AllocationChanged"),
    );
  },

  async rollback(client, ancestor) {
    for (const table of ALL_TABLES) await deleteRowsAbove(client, table, ancestor);
  },
};
